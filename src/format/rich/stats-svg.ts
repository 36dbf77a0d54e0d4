/**
 * `stats` as a chart: how many new connections each KUBE-SEP chain got, beside the share the
 * statistic rules of its KUBE-SVC chain promise (1/3, then 1/2 of the rest, then the rest). An
 * SVG bar chart for notebooks, and its plain-text twin.
 *
 * Why: the lesson of kube-proxy's load balancing is that a chain of coin flips gives every
 * endpoint the same share; seeing counts next to the expected shares makes that, and the noise
 * around it, visible.
 */
import type { StatsDisplay, StatsExpected } from "../../lang/command.js";
import type { Ruleset } from "../../engine/model/ruleset.js";
import { esc } from "./escape.js";

/**
 * The share of each KUBE-SEP chain a KUBE-SVC (or KUBE-SVL) chain's statistic rules promise: rule k
 * is reached with what the earlier rules left, and taken with its probability. Undefined when a
 * rule uses anything but `--mode random` (nth counters are not a share of random draws).
 */
export function expectedShares(ruleset: Ruleset, svcChain: string): StatsExpected[] | undefined {
  const chain = ruleset.tables.get("nat")?.chains.get(svcChain);
  if (!chain) return undefined;
  const out: StatsExpected[] = [];
  let left = 1;
  for (const [i, r] of chain.rules.entries()) {
    if (r.target?.kind !== "jump" || !r.target.chain.startsWith("KUBE-SEP-")) continue;
    const stat = r.matches.find((m) => m.module.name === "statistic");
    let p = 1;
    if (stat) {
      const d = stat.data as { mode: string; probability?: number; neg?: boolean };
      if (d.mode !== "random" || d.probability === undefined || d.neg) return undefined;
      p = d.probability / 0x80000000;
    }
    out.push({ chain: r.target.chain, via: `${svcChain} rule ${i + 1}`, share: left * p });
    left *= 1 - p;
  }
  return out;
}

interface Bar {
  label: string;
  count: number;
  expected?: number;
  /** Where the connections went ("10.42.54.194:9898"). */
  to: string;
}

function bars(d: StatsDisplay): Bar[] {
  const out: Bar[] = d.counts.map((c) => ({ label: c.chains.join(" → ") || "(no KUBE-SEP chain)", count: c.count, to: c.to.join(", ") }));
  for (const e of d.expected) {
    const b = out.find((x) => x.label === e.chain);
    if (b) b.expected = (b.expected ?? 0) + e.share;
    else out.push({ label: e.chain, count: 0, expected: e.share, to: "" });
  }
  return out;
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** The chart as text: one bar per outcome, its count, its share, the expected share. */
export function statsChartText(d: StatsDisplay, width = 30): string {
  const bs = bars(d);
  const w = Math.max(...bs.map((b) => b.label.length));
  const lines = [`${d.total} new connections, share per KUBE-SEP chain (│ marks the expected share):`];
  for (const b of bs) {
    const share = b.count / d.total;
    const cells = Array.from({ length: width }, (_, i): string => (i < Math.round(share * width) ? "█" : " "));
    if (b.expected !== undefined) cells[Math.min(width - 1, Math.round(b.expected * width))] = "│";
    lines.push(`  ${b.label.padEnd(w)} ${cells.join("")} ${String(b.count).padStart(6)} ${pct(share).padStart(6)}${b.expected !== undefined ? `  expected ${pct(b.expected)}` : ""}${b.to ? `  → ${b.to}` : ""}`);
  }
  return lines.join("\n");
}

export function statsSvg(d: StatsDisplay): string {
  const bs = bars(d);
  const labelW = 260;
  const barW = 420;
  const rowH = 40;
  const top = 44;
  const height = top + bs.length * rowH + 50;
  const width = labelW + barW + 110;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="ktrace-stats" role="img" aria-label="${esc(`${d.total} new connections per KUBE-SEP chain`)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="DejaVu Sans, Verdana, Arial, sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="22" font-size="14" font-weight="bold" fill="#222">${esc(`${d.total} new connections: where kube-proxy's statistic rules sent them`)}</text>`,
  ];
  // axis at 0, 50 and 100 %
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const x = labelW + f * barW;
    out.push(`<line x1="${x}" y1="${top - 6}" x2="${x}" y2="${top + bs.length * rowH}" stroke="#e2e2e2"/>`, `<text x="${x}" y="${top - 10}" text-anchor="middle" font-size="10" fill="#777">${f * 100}%</text>`);
  }
  bs.forEach((b, i) => {
    const y = top + i * rowH;
    const share = b.count / d.total;
    out.push(
      `<g class="ktrace-bar" data-chain="${esc(b.label)}" data-count="${b.count}"${b.expected !== undefined ? ` data-expected="${b.expected.toFixed(6)}"` : ""}>`,
      `<title>${esc(`${b.label}: ${b.count} of ${d.total} (${pct(share)})${b.expected !== undefined ? `, expected ${pct(b.expected)}` : ""}`)}</title>`,
      `<text x="${labelW - 8}" y="${y + 17}" text-anchor="end" fill="#222">${esc(b.label.length > 36 ? b.label.slice(0, 35) + "…" : b.label)}</text>`,
      b.to ? `<text x="${labelW - 8}" y="${y + 31}" text-anchor="end" font-size="10" fill="#666">${esc(`→ ${b.to.length > 40 ? b.to.slice(0, 39) + "…" : b.to}`)}</text>` : "",
      `<rect x="${labelW}" y="${y + 6}" width="${(share * barW).toFixed(1)}" height="${rowH - 12}" fill="#4c8bd6"/>`,
    );
    if (b.expected !== undefined) {
      const x = labelW + b.expected * barW;
      out.push(`<line class="ktrace-expected" x1="${x.toFixed(1)}" y1="${y + 1}" x2="${x.toFixed(1)}" y2="${y + rowH - 1}" stroke="#d9480f" stroke-width="3"/>`);
    }
    out.push(`<text x="${labelW + barW + 8}" y="${y + 24}" fill="#222">${esc(`${b.count} (${pct(share)})`)}</text>`, "</g>");
  });
  const ly = top + bs.length * rowH + 24;
  out.push(
    `<rect x="10" y="${ly - 10}" width="16" height="12" fill="#4c8bd6"/><text x="32" y="${ly}" font-size="11" fill="#222">connections that went to the chain</text>`,
    `<line x1="260" y1="${ly - 12}" x2="260" y2="${ly + 2}" stroke="#d9480f" stroke-width="3"/><text x="268" y="${ly}" font-size="11" fill="#222">expected share, from the --probability of each rule</text>`,
    "</svg>",
  );
  return out.join("\n");
}
