/**
 * -m connmark: the connection's mark under a mask.
 *
 * Why: Calico and Docker stash decisions in the conntrack mark and test them on later packets.
 * Linux: xt_connmark.c connmark_mt.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { bang, hex, parseValueMask, uniqueUses } from "../util.js";
import { formatMarkMask, type MarkData } from "./mark.js";

const connmark: MatchModule<MarkData> = {
  kind: "match",
  usesConntrack: true,
  name: "connmark",
  help: "connection mark: --mark value[/mask]",
  options: [{ name: "mark", negatable: true, help: "value[/mask]" }],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const u = uniqueUses(uses, ctx).get("mark");
    if (!u) ctx.reject("connmark: --mark is required");
    const { value, mask } = parseValueMask(u, ctx);
    // kept as written, bits outside the mask included: iptables stores and prints it so, and the
    // kernel compares (mark & mask) with it — such a value never matches, so its negation always
    // does (measured: ! --mark 0x1/0xf0 matches an unmarked packet)
    return { value, mask, neg: u.negated };
  },
  save: (d) => `${bang(d.neg)}--mark ${formatMarkMask(d.value, d.mask)}`,
  // libxt_connmark: " connmark match " then "!" then print_mark's " 0x..": two spaces unnegated
  list: (d) => `connmark match ${d.neg ? "!" : ""} ${formatMarkMask(d.value, d.mask)}`,
  test(d, { ct }) {
    // Linux: connmark_mt — no conntrack entry, no match, negated or not
    if (!ct?.entry) return { clause: `${bang(d.neg)}--mark ${formatMarkMask(d.value, d.mask)}`, why: "no conntrack entry" };
    const m = ct.entry.mark;
    const ok = ((m & d.mask) >>> 0) === d.value;
    return ok !== d.neg ? null : { clause: `${bang(d.neg)}--mark ${formatMarkMask(d.value, d.mask)}`, why: ct?.entry ? `ctmark is ${hex(m)}` : "no conntrack entry" };
  },
};
export default connmark;
