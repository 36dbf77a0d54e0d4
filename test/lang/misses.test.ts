// On a big chain the walk folds the rules a packet provably misses into one line, and
// `explain misses` unfolds them again, each with the words the rule-by-rule walk gives it.
// (The rules DNAT: a nat table whose rules use no conntrack never runs, as in the kernel.)
import { describe, expect, it } from "vitest";
import { rulesSession, run } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";
import { mimeBundle } from "../../src/format/rich/mime.js";

const N = 300;
const ip = (i: number) => `10.96.${i >> 8}.${i & 255}`;
const RULES = [
  "*nat",
  ":OUTPUT ACCEPT [0:0]",
  ":KUBE-SERVICES - [0:0]",
  "-A OUTPUT -j KUBE-SERVICES",
  ...Array.from({ length: N }, (_, i) => `-A KUBE-SERVICES -d ${ip(i + 1)}/32 -p tcp -m comment --comment "ns/svc-${i + 1}:http cluster IP" -m tcp --dport 80 -j DNAT --to-destination 10.42.0.1:8080`),
  "COMMIT",
  "",
].join("\n");

describe("folded misses", () => {
  it("explain folds the run into one line, with the count and the clause they miss on", () => {
    const s = rulesSession(RULES);
    const out = runLine(s, `send tcp 192.168.1.88:40000 -> ${ip(N)}:80`);
    const folded = out.text.split("\n").filter((l) => l.includes("✗"));
    expect(folded).toEqual([`      KUBE-SERVICES #1–#${N - 1}  ✗ ${N - 1} rules for other destinations, protocols or ports, skipped by the index: ${N - 1} on -d (dst is ${ip(N)})`]);
    expect(out.text).toContain(`KUBE-SERVICES #${N}  ✓ `);
    // the notebook's walk table has the same fold as one row
    expect(mimeBundle(out)["text/html"]).toContain("ktrace-folded");
  });

  it("explain misses lists each skipped rule with why it missed", () => {
    const s = rulesSession(RULES);
    run(s, `send tcp 192.168.1.88:40000 -> ${ip(N)}:80`);
    const r = runLine(s, "explain misses");
    const lines = r.text.split("\n");
    expect(lines[0]).toBe(`OUTPUT nat KUBE-SERVICES, rules #1–#${N - 1}:`);
    expect(lines).toHaveLength(N);
    expect(lines[1]).toBe(`  KUBE-SERVICES #1  ✗ -d ${ip(1)}/32 — dst is ${ip(N)}`);
    expect(lines[N - 1]).toBe(`  KUBE-SERVICES #${N - 1}  ✗ -d ${ip(N - 1)}/32 — dst is ${ip(N)}`);
    expect(r.display?.[0]?.kind).toBe("table");
  });

  it("a port that differs is said as such; a packet to no Service folds the whole chain", () => {
    const s = rulesSession(RULES);
    const other = runLine(s, `send tcp 192.168.1.88:40001 -> ${ip(7)}:443`).text;
    expect(other).toContain(`KUBE-SERVICES #1–#${N}  ✗ ${N} rules for other destinations, protocols or ports, skipped by the index: ${N - 1} on -d (dst is ${ip(7)}), 1 on -m tcp --dport (dport is 443)`);
    expect(runLine(s, "explain misses").text.split("\n")).toContain(`  KUBE-SERVICES #7  ✗ -m tcp --dport 80 — dport is 443`);
  });

  it("stepping stops once on the run; a breakpoint on a rule inside it stops there", () => {
    const s = rulesSession(RULES);
    s.stepByStep = true;
    run(s, `break rule nat KUBE-SERVICES 150`);
    run(s, `send tcp 192.168.1.88:40002 -> ${ip(N)}:80`);
    const c = runLine(s, "continue");
    expect(c.text).toContain("breakpoint 1: rule nat KUBE-SERVICES #150");
    expect(runLine(s, "where").text).toMatch(new RegExp(`KUBE-SERVICES ▸ rule #${N - 1}`));
    expect(runLine(s, "show rule").text).toContain(`rules #1–#${N - 1}`);
    expect(runLine(s, "step").text).toContain(`KUBE-SERVICES #${N}  ✓ `);
  });

  it("short chains are never folded: the article's walk is rule by rule", () => {
    const s = rulesSession(RULES.replace(/^-A KUBE-SERVICES -d 10\.96\.(?!0\.[1-9]\/)\S+ .*\n/gm, ""));
    const out = runLine(s, `send tcp 192.168.1.88:40003 -> ${ip(9)}:80`).text;
    expect(out).not.toContain("skipped by the index");
    expect(out.split("\n").filter((l) => l.includes("✗"))).toHaveLength(8);
  });
});
