/**
 * Vitest global setup: the test run must leave no new file in the checkout.
 *
 * Why: a test that writes where it runs — a fuzzer's random command ending in `> FILE`, an
 * output path forgotten in a test — leaves files in the working tree, and the next commit picks
 * them up (it happened: twenty files named by the fuzzer reached main). Files that were there
 * before the run, and ignored ones (dist/, test/artifacts/), are not counted.
 */
import { execFileSync } from "node:child_process";

function untracked(): Set<string> | undefined {
  try {
    const out = execFileSync("git", ["ls-files", "--others", "--exclude-standard", "-z"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return new Set(out.split("\0").filter(Boolean));
  } catch {
    return undefined; // not a git checkout (an installed package): nothing to compare
  }
}

export default function setup(): (() => void) | undefined {
  const before = untracked();
  if (!before) return undefined;
  return () => {
    const added = [...(untracked() ?? [])].filter((f) => !before.has(f));
    if (!added.length) return;
    // a teardown's error is printed but does not fail the run by itself
    process.exitCode = 1;
    throw new Error(`the tests left ${added.length} new file${added.length === 1 ? "" : "s"} in the checkout: ${added.slice(0, 10).map((f) => JSON.stringify(f)).join(", ")}${added.length > 10 ? ", …" : ""} — a test writes where it runs`);
  };
}
