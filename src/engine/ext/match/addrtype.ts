/**
 * -m addrtype: the routing type of the source/destination address.
 *
 * Why: kube-proxy's `-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS` and Calico's masquerade rule
 * (`! --src-type LOCAL --limit-iface-out`). Linux: xt_addrtype.c (revision 1).
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { ADDR_TYPES, addrType, type AddrType } from "../../route/addr-type.js";
import { arg, bang, uniqueUses } from "../util.js";
import { formatIp } from "../../model/ipv4.js";
import type { Hook } from "../../walk/hooks.js";

interface AddrtypeData {
  src?: { types: AddrType[]; neg: boolean };
  dst?: { types: AddrType[]; neg: boolean };
  limitIn: boolean;
  limitOut: boolean;
}

const fmt = (t: AddrType[]) => ADDR_TYPES.filter((x) => t.includes(x)).join(",");

const addrtype: MatchModule<AddrtypeData> = {
  kind: "match",
  // addrtype_mt_checkentry: --limit-iface-out needs an output device, --limit-iface-in an input one
  allowedIn: (d, hook: Hook) => !(d.limitOut && (hook === "PREROUTING" || hook === "INPUT")) && !(d.limitIn && (hook === "OUTPUT" || hook === "POSTROUTING")),
  name: "addrtype",
  help: "address type: --src-type/--dst-type LOCAL,UNICAST,... [--limit-iface-in|out]",
  options: [
    { name: "src-type", negatable: true },
    { name: "dst-type", negatable: true },
    { name: "limit-iface-in", args: 0 },
    { name: "limit-iface-out", args: 0 },
  ],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const d: AddrtypeData = { limitIn: m.has("limit-iface-in"), limitOut: m.has("limit-iface-out") };
    for (const side of ["src", "dst"] as const) {
      const u = m.get(`${side}-type`);
      if (!u) continue;
      const types: AddrType[] = [];
      for (const t of arg(u, ctx).split(",")) {
        if (!(ADDR_TYPES as readonly string[]).includes(t.toUpperCase())) ctx.fail(u.argTokens[0] ?? u.token, `addrtype: invalid address type "${t}"`);
        types.push(t.toUpperCase() as AddrType);
      }
      d[side] = { types, neg: u.negated };
    }
    if (d.limitIn && d.limitOut) ctx.fail(m.get("limit-iface-out")!.token, "addrtype: you can't specify both --limit-iface-in and --limit-iface-out");
    if (!d.src && !d.dst) ctx.reject("addrtype: you must specify --src-type or --dst-type");
    return d;
  },
  save(d) {
    const p: string[] = [];
    if (d.src) p.push(`${bang(d.src.neg)}--src-type ${fmt(d.src.types)}`);
    if (d.dst) p.push(`${bang(d.dst.neg)}--dst-type ${fmt(d.dst.types)}`);
    if (d.limitIn) p.push("--limit-iface-in");
    if (d.limitOut) p.push("--limit-iface-out");
    return p.join(" ");
  },
  // libxt_addrtype addrtype_print_v1: "ADDRTYPE match src-type !LOCAL limit-out"
  list(d) {
    let s = "ADDRTYPE match";
    if (d.src) s += ` src-type ${d.src.neg ? "!" : ""}${fmt(d.src.types)}`;
    if (d.dst) s += ` dst-type ${d.dst.neg ? "!" : ""}${fmt(d.dst.types)}`;
    if (d.limitIn) s += " limit-in";
    if (d.limitOut) s += " limit-out";
    return s;
  },
  test(d, { pkt, node }) {
    const dev = d.limitIn ? pkt.iif : d.limitOut ? pkt.oif : undefined;
    for (const side of ["src", "dst"] as const) {
      const want = d[side];
      if (!want) continue;
      const ip = side === "src" ? pkt.src : pkt.dst;
      const t = addrType(node, ip, dev);
      if (want.types.includes(t) === want.neg) {
        const where = dev ? ` on ${dev}` : "";
        return { clause: `${bang(want.neg)}--${side}-type ${fmt(want.types)}${d.limitIn ? " --limit-iface-in" : d.limitOut ? " --limit-iface-out" : ""}`, why: `${formatIp(ip)} is ${t}${where}` };
      }
    }
    return null;
  },
};
export default addrtype;
