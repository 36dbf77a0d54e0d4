// Long work comes in slices with its progress (stats in connections, load in lines); run to the
// end it gives what it always gave; dropped part-way it changes nothing that was loaded.
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session } from "../../src/lang/session.js";
import { loadCanned } from "../../src/sources/load.js";
import { nodeIo } from "../../src/sources/io.js";
import { interrupted, runLine, runLineSteps } from "../../src/lang/commands/index.js";
import type { Progress } from "../../src/lang/command.js";

function bigRules(n: number): string {
  const rules = Array.from({ length: n }, (_, i) => `-A INPUT -s 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 -j ACCEPT`);
  return ["*filter", ":INPUT ACCEPT [0:0]", ...rules, "COMMIT", ""].join("\n");
}

/** A rules file of `n` rules in a scratch directory, removed afterwards. */
function withRulesFile<T>(n: number, f: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "ktjobs-"));
  try {
    const file = join(dir, "big.rules");
    writeFileSync(file, bigRules(n));
    return f(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("jobs", () => {
  it("load rules reports its progress in lines, then loads as before", () => {
    withRulesFile(30000, (file) => {
      const s = new Session(loadCanned("article"), nodeIo, 1);
      const steps = runLineSteps(s, `load rules ${file}`);
      const seen: Progress[] = [];
      let r = steps.next();
      while (!r.done) {
        seen.push(r.value);
        r = steps.next();
      }
      expect(seen.length).toBeGreaterThan(2);
      expect(seen.every((p) => p.unit === "lines" && p.total === 30004)).toBe(true);
      expect(seen.map((p) => p.done)).toEqual([...seen.map((p) => p.done)].sort((a, b) => a - b));
      expect(r.value.error).toBeUndefined();
      expect(r.value.text).toMatch(/loaded .*: 1 tables, 30000 rules/);
      expect(s.engine.ruleset.tables.get("filter")!.chains.get("INPUT")!.rules).toHaveLength(30000);
    });
  });

  it("a load dropped part-way leaves the session as it was", () => {
    withRulesFile(30000, (file) => {
      const s = new Session(loadCanned("article"), nodeIo, 1);
      const before = s.engine.ruleset;
      const steps = runLineSteps(s, `load rules ${file}`);
      const first = steps.next();
      expect(first.done).toBe(false);
      const r = interrupted(steps, first.value as Progress);
      expect(r.error).toMatch(/^interrupted after [\d,]+ of 30,004 lines$/);
      expect(s.engine.ruleset).toBe(before);
      expect(runLine(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898").error).toBeUndefined();
    });
  });

  it("stats: progress in connections; run to the end, the same counts as always; the limit is said", () => {
    const s = new Session(loadCanned("article"), nodeIo, 1);
    runLine(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    const steps = runLineSteps(s, "stats 1000");
    const seen: Progress[] = [];
    let r = steps.next();
    while (!r.done) {
      seen.push(r.value);
      r = steps.next();
    }
    expect(seen.map((p) => p.done)).toEqual([256, 512, 768]);
    const again = new Session(loadCanned("article"), nodeIo, 1);
    runLine(again, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    expect(runLine(again, "stats 1000").text).toBe(r.value.text);
    expect(runLine(s, "stats 1000000000").error).toBe("column 7: stats needs a count from 1 to 1,000,000");
  });

  it("runLine stops a job when the session is asked to (a notebook's interrupt)", () => {
    const s = new Session(loadCanned("article"), nodeIo, 1);
    runLine(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    let asked = 0;
    s.shouldStop = () => ++asked > 3;
    const r = runLine(s, "stats 100000");
    expect(r.error).toMatch(/^interrupted after 1,024 of 100,000 connections$/);
  });
});
