// Builds sessions for tests: the canned article node, or a ruleset text on the article's node.
import { Session } from "../../src/lang/session.js";
import { loadCanned, loadSnapshotText, type LoadedSource } from "../../src/sources/load.js";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";
import { runLine } from "../../src/lang/commands/index.js";
import type { Io } from "../../src/sources/io.js";

export const noIo: Io = {
  readFile: (p) => {
    throw Object.assign(new Error(`no file ${p} in tests`), { code: "ENOENT" });
  },
  writeFile: () => undefined,
  exec: () => ({ code: 1, stdout: "", stderr: "no exec in tests", missing: true }),
  isRoot: () => false,
};

export function articleSession(seed = 1): Session {
  return new Session(loadCanned("article"), noIo, seed);
}

/** A ruleset on the article's node (enp3s0 192.168.1.88/24, vxlan.calico, default via 192.168.1.1). */
export function rulesSession(rules: string, seed = 1): Session {
  const base = loadCanned("article");
  const src: LoadedSource = { ...base, kind: "rules", name: "test", title: "test rules", ruleset: parseRuleset(rules, { file: "test.rules" }) };
  return new Session(src, noIo, seed);
}

export function snapshotSession(text: string, seed = 1): Session {
  return new Session(loadSnapshotText(text, "test.ktrace"), noIo, seed);
}

/** Runs commands; throws on the first error so tests see it. */
export function run(s: Session, ...lines: string[]): string {
  let out = "";
  for (const l of lines) {
    const r = runLine(s, l);
    if (r.error) throw new Error(`${l}: ${r.error}`);
    out += r.text;
  }
  return out;
}

export const normTrace = (text: string) => text.replace(/^(PACKET| TRACE): 2 [0-9a-f]{8} /gm, "$1: 2 <id> ");
