/**
 * -m mark: the packet's (skb) mark under a mask.
 *
 * Why: kube-proxy's KUBE-POSTROUTING tests 0x4000 to decide on MASQUERADE; Calico keeps policy
 * verdicts in 0xf0000 bits. Linux: xt_mark.c mark_mt: (skb->mark & mask) == mark.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { Missed, bang, hex, parseValueMask, uniqueUses } from "../util.js";

export interface MarkData {
  value: number;
  mask: number;
  neg: boolean;
}

export function formatMarkMask(value: number, mask: number): string {
  return mask === 0xffffffff ? hex(value) : `${hex(value)}/${hex(mask)}`;
}

const mark: MatchModule<MarkData> = {
  kind: "match",
  name: "mark",
  help: "packet mark: --mark value[/mask]",
  options: [{ name: "mark", negatable: true, help: "value[/mask]" }],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const u = uniqueUses(uses, ctx).get("mark");
    if (!u) ctx.reject("mark: --mark is required");
    const { value, mask } = parseValueMask(u, ctx);
    // kept as written, bits outside the mask included: iptables stores and prints it so, and the
    // kernel compares (mark & mask) with it — such a value never matches, so its negation always
    // does (measured: ! --mark 0x1/0xf0 matches an unmarked packet)
    return { value, mask, neg: u.negated };
  },
  save: (d) => `${bang(d.neg)}--mark ${formatMarkMask(d.value, d.mask)}`,
  list: (d) => `mark match ${bang(d.neg)}${formatMarkMask(d.value, d.mask)}`,
  test(d, { pkt }) {
    const m = pkt.mark;
    const ok = ((m & d.mask) >>> 0) === d.value;
    return ok !== d.neg ? null : new Missed(() => [`${bang(d.neg)}--mark ${formatMarkMask(d.value, d.mask)}`, `mark is ${hex(m)}`]);
  },
};
export default mark;
