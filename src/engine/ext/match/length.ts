/**
 * -m length: the IP total length.
 *
 * Why: MTU/PMTU lessons and small-packet filters. Linux: xt_length.c.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { bang, formatPortRange, inRange, portRangeArg, uniqueUses, type PortRange } from "../util.js";

const length: MatchModule<{ range: PortRange; neg: boolean }> = {
  kind: "match",
  name: "length",
  help: "--length N[:M]",
  options: [{ name: "length", negatable: true }],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const u = uniqueUses(uses, ctx).get("length");
    if (!u) ctx.reject("length: --length is required");
    return { range: portRangeArg(u, ctx), neg: u.negated };
  },
  save: (d) => `${bang(d.neg)}--length ${formatPortRange(d.range)}`,
  list: (d) => `length ${d.neg ? "!" : ""}${formatPortRange(d.range)}`,
  test: (d, { pkt }) =>
    inRange(pkt.len, d.range) !== d.neg ? null : { clause: `--length ${formatPortRange(d.range)}`, why: `length is ${pkt.len}` },
};
export default length;
