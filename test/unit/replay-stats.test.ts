// replay: the article's real capture read against the canned ruleset; stats: the load
// balancer's distribution over many new connections, reproducible by seed.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { annotateCapture } from "../../src/format/replay.js";
import { loadCanned } from "../../src/sources/load.js";
import { articleSession, run } from "../helpers/session.js";
import { fixturePath } from "../helpers/vectors.js";

describe("replay", () => {
  const lines = annotateCapture(readFileSync(fixturePath("article-trace.txt"), "utf8"), loadCanned("article").ruleset);
  it("finds every traced rule of the capture in the canned ruleset", () => {
    const rules = lines.filter((l) => /:rule:0x/.test(l.text));
    expect(rules.length).toBe(56);
    for (const r of rules) expect(r.notes[0], r.text).toMatch(/ rule #\d+ \(by (handle|text)/);
  });
  it("says what changed between PACKET lines", () => {
    const dnat = lines.find((l) => l.notes.some((n) => n.includes("DST 10.43.156.98 → 10.42.54.194")));
    expect(dnat?.notes[0]).toBe("changed since the last PACKET line: DST 10.43.156.98 → 10.42.54.194, MARK - → 0x4000");
    const reroute = lines.find((l) => l.notes.some((n) => n.includes("OUT enp3s0 → vxlan.calico")));
    expect(reroute).toBeDefined();
  });
});

describe("stats", () => {
  it("splits new connections between the two endpoints about evenly, the same way for the same seed", () => {
    const a = run(articleSession(5), "stats 2000 tcp 192.168.1.88:40000 -> 10.43.156.98:9898");
    const b = run(articleSession(5), "stats 2000 tcp 192.168.1.88:40000 -> 10.43.156.98:9898");
    expect(a).toBe(b);
    const counts = [...a.matchAll(/^ +(\d+) +[\d.]+% +KUBE-SEP-(\w+)$/gm)].map((m) => Number(m[1]));
    expect(counts).toHaveLength(2);
    expect(counts[0]! + counts[1]!).toBe(2000);
    // binomial(2000, 0.5): 6 standard deviations is about ±134
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(134);
    expect(a).toMatch(/sent out vxlan\.calico to 10\.42\.(54\.194|217\.66):9898/);
  });
  it("leaves the session's conntrack table alone", () => {
    const s = articleSession(5);
    run(s, "stats 50 tcp 192.168.1.88:40000 -> 10.43.156.98:9898");
    expect(s.engine.conntrack.entries).toHaveLength(0);
  });
});
