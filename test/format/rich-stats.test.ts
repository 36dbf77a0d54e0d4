// `stats` as a chart: the chart's numbers are the command's counts, the expected shares come from
// the statistic rules' probabilities (1/2 and 1/2; 1/3, 1/2 of the rest, the rest), and the
// chart has a text twin.
import { describe, expect, it } from "vitest";
import { articleSession, run } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";
import type { StatsDisplay } from "../../src/lang/command.js";
import { expectedShares, statsChartText, statsSvg } from "../../src/format/rich/stats-svg.js";
import { mimeBundle } from "../../src/format/rich/mime.js";

const SVC = "KUBE-SVC-Y4T5L63IYP3YFEBS";

function statsOf(r: ReturnType<typeof runLine>): StatsDisplay {
  const d = r.display?.[0];
  if (d?.kind !== "stats") throw new Error(`no stats display: ${r.error ?? ""}`);
  return d;
}

/** The command's own counts, read from the lines it printed. */
function printedCounts(text: string): Map<string, number> {
  const head = text.split("\nfates:")[0]!;
  return new Map([...head.matchAll(/^ +(\d+) +[\d.]+% +(\S.*)$/gm)].map((m) => [m[2]!, Number(m[1])]));
}

describe("stats chart", () => {
  const s = articleSession(7);
  const r = runLine(s, "stats 1500 tcp 192.168.1.88:40000 -> 10.43.156.98:9898");
  const d = statsOf(r);

  it("has the counts the command printed, and they add up to N", () => {
    const printed = printedCounts(r.text);
    expect(printed.size).toBe(2);
    expect(new Map(d.counts.map((c) => [c.chains.join(" → "), c.count]))).toEqual(printed);
    expect(d.total).toBe(1500);
    expect(d.counts.reduce((a, c) => a + c.count, 0)).toBe(1500);
    const fates = r.text.split("\nfates:\n")[1]!;
    for (const f of d.fates) expect(fates).toContain(`${f.count}`.padStart(6) + " ");
  });

  it("says where each chain's connections went, from the walks (the fates agree)", () => {
    const to = Object.fromEntries(d.counts.map((c) => [c.chains[0], c.to]));
    expect(to).toEqual({ "KUBE-SEP-OYNVDBAPYJ623W6H": ["10.42.54.194:9898"], "KUBE-SEP-6G2GMHWEBXQ5W3DV": ["10.42.217.66:9898"] });
    for (const c of d.counts) expect(d.fates).toContainEqual({ fate: `sent out vxlan.calico to ${c.to[0]}`, count: c.count });
    expect(statsSvg(d)).toContain("→ 10.42.54.194:9898");
  });

  it("expects half and half from the article's two statistic rules", () => {
    expect(d.expected.map((e) => [e.chain, e.share])).toEqual([
      ["KUBE-SEP-6G2GMHWEBXQ5W3DV", 0.5],
      ["KUBE-SEP-OYNVDBAPYJ623W6H", 0.5],
    ]);
    expect(d.expected[0]!.via).toBe(`${SVC} rule 2`);
  });

  it("draws one bar per chain with its count and the expected share, in a well-formed SVG", () => {
    const svg = statsSvg(d);
    const bars = [...svg.matchAll(/<g class="ktrace-bar" data-chain="([^"]+)" data-count="(\d+)" data-expected="([\d.]+)"/g)].map((m) => [m[1], Number(m[2]), Number(m[3])]);
    expect(bars).toEqual(d.counts.map((c) => [c.chains[0], c.count, 0.5]));
    // bar widths are proportional to the counts
    const widths = [...svg.matchAll(/<rect x="260" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toEqual(d.counts.map((c) => Number(((c.count / 1500) * 420).toFixed(1))));
    expect(svg.match(/<g\b/g)!.length).toBe(svg.match(/<\/g>/g)!.length);
    expect(mimeBundle(r)["image/svg+xml"]).toBe(svg);
    expect(mimeBundle(r)["text/plain"]).toBe(r.text);
  });

  it("has a text twin with the same numbers", () => {
    const t = statsChartText(d);
    for (const c of d.counts) expect(t).toMatch(new RegExp(`${c.chains[0]} [█ │]+ +${c.count} +${((100 * c.count) / 1500).toFixed(1)}%  expected 50\\.0%`));
  });
});

describe("expected shares", () => {
  it("three endpoints: 1/3, then 1/2 of the rest, then the rest — a third each", () => {
    const s = articleSession(3);
    run(
      s,
      "iptables -t nat -N KUBE-SEP-THIRD",
      "iptables -t nat -A KUBE-SEP-THIRD -p tcp -j DNAT --to-destination 10.42.217.68:9898",
      `iptables -t nat -I ${SVC} 2 -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-THIRD`,
    );
    const shares = expectedShares(s.engine.ruleset, SVC)!;
    expect(shares.map((e) => e.chain)).toEqual(["KUBE-SEP-THIRD", "KUBE-SEP-6G2GMHWEBXQ5W3DV", "KUBE-SEP-OYNVDBAPYJ623W6H"]);
    for (const e of shares) expect(e.share).toBeCloseTo(1 / 3, 6);
    const d = statsOf(runLine(s, "stats 1200 tcp 192.168.1.88:40000 -> 10.43.156.98:9898"));
    expect(d.expected.map((e) => e.chain)).toEqual(shares.map((e) => e.chain));
    // binomial(1200, 1/3): 6 standard deviations is about ±98
    for (const c of d.counts) expect(Math.abs(c.count - 400)).toBeLessThan(98);
  });

  it("promises nothing for nth counters, or a chain that is not there", () => {
    const s = articleSession();
    run(s, "iptables -t nat -N KUBE-SVC-NTH", "iptables -t nat -A KUBE-SVC-NTH -m statistic --mode nth --every 2 --packet 0 -j KUBE-SEP-OYNVDBAPYJ623W6H");
    expect(expectedShares(s.engine.ruleset, "KUBE-SVC-NTH")).toBeUndefined();
    expect(expectedShares(s.engine.ruleset, "KUBE-SVC-NONE")).toBeUndefined();
  });
});

describe("stats text", () => {
  it("keeps its lines: the expected shares are in the chart and its text twin, not in the printed counts", () => {
    const r = runLine(articleSession(2), "stats 200 tcp 192.168.1.88:40000 -> 10.43.156.98:9898");
    expect(r.text.split("\n")[0]).toBe("200 new connections:");
    expect(r.text).not.toContain("expected");
    expect(r.note).toBeUndefined();
    expect(statsChartText(statsOf(r))).toContain("expected 50.0%");
  });
});
