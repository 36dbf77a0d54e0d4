/**
 * -m iprange: an address range that is not a prefix.
 *
 * Why: firewalls for DHCP pools and MetalLB ranges. Linux: xt_iprange.c.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { formatIp, parseIp, type Ip } from "../../model/ipv4.js";
import { arg, bang, uniqueUses } from "../util.js";

type Range = { from: Ip; to: Ip; neg: boolean };
interface IprangeData {
  src?: Range;
  dst?: Range;
}

const fmt = (r: Range) => `${formatIp(r.from)}-${formatIp(r.to)}`;

const iprange: MatchModule<IprangeData> = {
  kind: "match",
  name: "iprange",
  help: "--src-range A-B / --dst-range A-B",
  options: [
    { name: "src-range", negatable: true },
    { name: "dst-range", negatable: true },
  ],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const d: IprangeData = {};
    for (const side of ["src", "dst"] as const) {
      const u = m.get(`${side}-range`);
      if (!u) continue;
      const text = arg(u, ctx);
      const [a, b] = text.split("-");
      const from = parseIp(a ?? "");
      const to = b === undefined ? from : parseIp(b);
      if (from === undefined || to === undefined) ctx.fail(u.argTokens[0] ?? u.token, `iprange: bad IP range "${text}"`);
      d[side] = { from, to, neg: u.negated };
    }
    if (!d.src && !d.dst) ctx.reject("iprange: --src-range or --dst-range is required");
    return d;
  },
  save(d) {
    const p: string[] = [];
    if (d.src) p.push(`${bang(d.src.neg)}--src-range ${fmt(d.src)}`);
    if (d.dst) p.push(`${bang(d.dst.neg)}--dst-range ${fmt(d.dst)}`);
    return p.join(" ");
  },
  list(d) {
    const p: string[] = [];
    if (d.src) p.push(`source IP range ${bang(d.src.neg)}${fmt(d.src)}`);
    if (d.dst) p.push(`destination IP range ${bang(d.dst.neg)}${fmt(d.dst)}`);
    return p.join(" ");
  },
  test(d, { pkt }) {
    for (const side of ["src", "dst"] as const) {
      const r = d[side];
      if (!r) continue;
      const ip = side === "src" ? pkt.src : pkt.dst;
      if ((ip >= r.from && ip <= r.to) === r.neg) return { clause: `${bang(r.neg)}--${side}-range ${fmt(r)}`, why: `${side} is ${formatIp(ip)}` };
    }
    return null;
  },
};
export default iprange;
