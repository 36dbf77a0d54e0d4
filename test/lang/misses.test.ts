// On a big chain the walk folds the rules a packet provably misses into one line, and
// `explain misses` unfolds them again, each with the words the rule-by-rule walk gives it.
// (The rules DNAT: a nat table whose rules use no conntrack never runs, as in the kernel.)
import { describe, expect, it } from "vitest";
import { rulesSession, run } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";
import { mimeBundle } from "../../src/format/rich/mime.js";
import { FOLD_RUN } from "../../src/format/misses.js";

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

// A chain too short to index (under 256 rules) is walked rule by rule; a long run of misses in it
// is still folded into one line by explain, and unfolded by `explain misses` — as kube-proxy's
// filter KUBE-SERVICES, one REJECT per Service without endpoints, reads on a big node (DROP
// here: a REJECT's ICMP error would walk the chain again, and fold again, in its own walk).
describe("long runs of misses in a chain walked rule by rule", () => {
  const M = 40;
  const FILTER = [
    "*filter",
    ":OUTPUT ACCEPT [0:0]",
    ":KUBE-SERVICES - [0:0]",
    "-A OUTPUT -j KUBE-SERVICES",
    ...Array.from({ length: M }, (_, i) => `-A KUBE-SERVICES -d ${ip(i + 1)}/32 -p tcp -m comment --comment "ns/svc-${i + 1}:http has no endpoints" -m tcp --dport 80 -j DROP`),
    "COMMIT",
    "",
  ].join("\n");
  const missed = (text: string) => text.split("\n").filter((l) => l.includes("✗"));

  it(`folds ${FOLD_RUN} or more misses in a row into one line, with the range, the count and the clause`, () => {
    const s = rulesSession(FILTER);
    const out = runLine(s, `send tcp 192.168.1.88:40000 -> ${ip(M)}:80`);
    expect(missed(out.text)).toEqual([`      KUBE-SERVICES #1–#${M - 1}  ✗ ${M - 1} rules in a row, none matched: ${M - 1} on -d (dst is ${ip(M)}) (explain misses lists them)`]);
    expect(out.text).toContain(`KUBE-SERVICES #${M}  ✓ DROP`);
    // the notebook's walk table folds the same run into one row
    const html = mimeBundle(out)["text/html"]!;
    expect(html).toContain("ktrace-folded");
    expect(html).toContain(`#1–#${M - 1}`);
    expect(html).not.toContain(`-A KUBE-SERVICES -d ${ip(1)}/32`);
  });

  it(`leaves a run of ${FOLD_RUN - 1} rule by rule`, () => {
    const s = rulesSession(FILTER);
    const lines = missed(runLine(s, `send tcp 192.168.1.88:40000 -> ${ip(FOLD_RUN)}:80`).text);
    expect(lines).toHaveLength(FOLD_RUN - 1);
    expect(lines[0]).toBe(`      KUBE-SERVICES #1  ✗ -d ${ip(1)}/32 — dst is ${ip(FOLD_RUN)}`);
  });

  it("explain misses unfolds the run, each rule with its number and why it missed", () => {
    const s = rulesSession(FILTER);
    run(s, `send tcp 192.168.1.88:40000 -> ${ip(M)}:80`);
    const lines = runLine(s, "explain misses").text.split("\n");
    expect(lines[0]).toBe(`OUTPUT filter KUBE-SERVICES, rules #1–#${M - 1}:`);
    expect(lines).toHaveLength(M);
    expect(lines[M - 1]).toBe(`  KUBE-SERVICES #${M - 1}  ✗ -d ${ip(M - 1)}/32 — dst is ${ip(M)}`);
  });

  it("a packet that matches early, or walks short runs, leaves explain misses nothing to unfold", () => {
    const s = rulesSession(FILTER);
    run(s, `send tcp 192.168.1.88:40000 -> ${ip(3)}:80`);
    expect(runLine(s, "explain misses").text).toMatch(/^nothing was folded/);
  });

  it("explain misses shows only what the cursor has passed, and numbers rules an edit removed by their handle", () => {
    const s = rulesSession(FILTER);
    s.stepByStep = true;
    run(s, `send tcp 192.168.1.88:40000 -> ${ip(M)}:80`);
    // before the first step: nothing passed, nothing to give away about rule #${M}
    expect(runLine(s, "explain misses").text).toMatch(/^nothing was folded so far/);
    run(s, "continue");
    const whole = runLine(s, "explain misses").text;
    expect(whole.split("\n")[0]).toBe(`OUTPUT filter KUBE-SERVICES, rules #1–#${M - 1}:`);
    run(s, "iptables -F KUBE-SERVICES");
    const edited = runLine(s, "explain misses").text.split("\n");
    expect(edited[0]).toMatch(/^OUTPUT filter KUBE-SERVICES, rules 0x[0-9a-f]+–0x[0-9a-f]+:$/);
    expect(edited.join("\n")).not.toContain("undefined");
  });

  it("a run in the walk of a REJECT's ICMP error says whose walk it is", () => {
    const s = rulesSession(FILTER.replace(/-j DROP/g, "-j REJECT"));
    run(s, `send tcp 192.168.1.88:40000 -> ${ip(M)}:80`);
    const heads = runLine(s, "explain misses").text.split("\n").filter((l) => !l.startsWith(" "));
    expect(heads[0]).toBe(`OUTPUT filter KUBE-SERVICES, rules #1–#${M - 1}:`);
    expect(heads[1]).toMatch(new RegExp(`^OUTPUT filter KUBE-SERVICES, rules #1–#${M} \\(in the walk of what REJECT .* sends: icmp 192\\.168\\.1\\.88 -> 192\\.168\\.1\\.88 .*\\):$`));
  });

  it("the xtables-monitor trace of the same packet lists only the rule that matched, as the kernel prints it", () => {
    const s = rulesSession(FILTER.replace("*filter", "*raw\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j TRACE\nCOMMIT\n*filter"));
    run(s, "format xtables-monitor");
    const out = runLine(s, `send tcp 192.168.1.88:40000 -> ${ip(M)}:80`).text;
    // the kernel prints the rules a packet matched, not the ones it missed: the DROP, and nothing folded
    expect(out).not.toContain("none matched");
    expect(out.split("\n").filter((l) => l.includes("filter:KUBE-SERVICES:rule:"))).toHaveLength(1);
  });
});
