/**
 * Vitest global setup: the test run must leave no new file in the checkout.
 *
 * Why: a test that writes where it runs — a fuzzer's random command ending in `> FILE`, an
 * output path forgotten in a test — leaves files in the working tree, and the next commit picks
 * them up (it happened: twenty files named by the fuzzer reached main). Files that were there
 * before the run, and ignored ones (dist/, test/artifacts/), are not counted. In CI (a clean
 * clone, nothing else at work in it) a new file fails the run; on a developer's machine, where an
 * editor or another process may write beside the tests, it is a warning.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

function untracked(): Set<string> | undefined {
  try {
    const out = execFileSync("git", ["ls-files", "--others", "--exclude-standard", "-z"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
    return new Set(out.split("\0").filter(Boolean));
  } catch (e) {
    // not a git checkout (an installed package) is fine; a checkout git cannot read is said
    if (existsSync(".git")) console.warn(`clean-checkout: git cannot list this checkout's files, so files the tests leave are not checked (${(e as Error).message.split("\n")[0]})`);
    return undefined;
  }
}

export default function setup(): (() => void) | undefined {
  const before = untracked();
  if (!before) return undefined;
  return () => {
    const added = [...(untracked() ?? [])].filter((f) => !before.has(f));
    if (!added.length) return;
    const message = `the tests left ${added.length} new file${added.length === 1 ? "" : "s"} in the checkout: ${added.slice(0, 10).map((f) => JSON.stringify(f)).join(", ")}${added.length > 10 ? ", …" : ""} — a test writes where it runs`;
    if (process.env.CI !== "true") {
      console.warn(`warning: ${message} (or something else wrote there meanwhile; with CI=true this fails the run)`);
      return;
    }
    // a teardown's error is printed but does not fail the run by itself
    process.exitCode = 1;
    throw new Error(message);
  };
}
