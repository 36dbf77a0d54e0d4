/**
 * -m physdev: bridge ports of a bridged packet.
 *
 * Why: flannel/Docker bridge setups carry physdev rules; ktrace models no bridges, so a packet
 * is never bridged and only negated clauses match — said plainly in explain output.
 * Linux: xt_physdev.c.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { arg, bang, uniqueUses } from "../util.js";
import type { Hook } from "../../walk/hooks.js";

interface PhysData {
  in?: { name: string; neg: boolean };
  out?: { name: string; neg: boolean };
  isIn?: boolean;
  isOut?: boolean;
  isBridged?: boolean;
  negIsIn?: boolean;
  negIsOut?: boolean;
  negIsBridged?: boolean;
}

const physdev: MatchModule<PhysData> = {
  kind: "match",
  name: "physdev",
  help: "--physdev-in/--physdev-out NAME, --physdev-is-in/-is-out/-is-bridged",
  requiresOption: "PHYSDEV: no physdev option specified",
  options: [
    { name: "physdev-in", negatable: true },
    { name: "physdev-out", negatable: true },
    { name: "physdev-is-in", args: 0, negatable: true },
    { name: "physdev-is-out", args: 0, negatable: true },
    { name: "physdev-is-bridged", args: 0, negatable: true },
  ],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const d: PhysData = {};
    const i = m.get("physdev-in");
    if (i) d.in = { name: arg(i, ctx), neg: i.negated };
    const o = m.get("physdev-out");
    if (o) d.out = { name: arg(o, ctx), neg: o.negated };
    for (const [k, neg, key] of [["physdev-is-in", "negIsIn", "isIn"], ["physdev-is-out", "negIsOut", "isOut"], ["physdev-is-bridged", "negIsBridged", "isBridged"]] as const) {
      const u = m.get(k);
      if (u) {
        d[key] = true;
        d[neg] = u.negated;
      }
    }
    return d;
  },
  save(d) {
    const p: string[] = [];
    if (d.in) p.push(`${bang(d.in.neg)}--physdev-in ${d.in.name}`);
    if (d.out) p.push(`${bang(d.out.neg)}--physdev-out ${d.out.name}`);
    if (d.isIn) p.push(`${bang(!!d.negIsIn)}--physdev-is-in`);
    if (d.isOut) p.push(`${bang(!!d.negIsOut)}--physdev-is-out`);
    if (d.isBridged) p.push(`${bang(!!d.negIsBridged)}--physdev-is-bridged`);
    return p.join(" ");
  },
  // libxt_physdev physdev_print: is-in, in, is-out, out, is-bridged
  list(d) {
    let s = "PHYSDEV match";
    if (d.isIn) s += `${d.negIsIn ? " !" : ""} --physdev-is-in`;
    if (d.in) s += `${d.in.neg ? " !" : ""} --physdev-in ${d.in.name}`;
    if (d.isOut) s += `${d.negIsOut ? " !" : ""} --physdev-is-out`;
    if (d.out) s += `${d.out.neg ? " !" : ""} --physdev-out ${d.out.name}`;
    if (d.isBridged) s += `${d.negIsBridged ? " !" : ""} --physdev-is-bridged`;
    return s;
  },
  // physdev_mt_check: the output port of a packet that is not (or may not be) bridged is
  // unknown in OUTPUT (measured: refused there, accepted in FORWARD and POSTROUTING)
  allowedIn: (d, hook: Hook) => !(hook === "OUTPUT" && (d.out || d.isOut) && (!d.isBridged || d.negIsBridged)),
  test(d) {
    // Not bridged: every positive clause fails, every negated one holds.
    const positive = (d.in && !d.in.neg) || (d.out && !d.out.neg) || (d.isIn && !d.negIsIn) || (d.isOut && !d.negIsOut) || (d.isBridged && !d.negIsBridged);
    return positive ? { clause: "-m physdev", why: "packet was not bridged (ktrace models no bridges)" } : null;
  },
};
export default physdev;
