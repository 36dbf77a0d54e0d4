/**
 * -m ttl: the IP time-to-live.
 *
 * Why: lessons on forwarding (TTL drops by one per hop). Linux: xt_ttl.c (ttl_mt).
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { uintArg, uniqueUses } from "../util.js";

type Op = "eq" | "lt" | "gt";
const ttl: MatchModule<{ op: Op; value: number; neg: boolean }> = {
  kind: "match",
  name: "ttl",
  help: "--ttl-eq N | --ttl-lt N | --ttl-gt N",
  options: [{ name: "ttl-eq", negatable: true }, { name: "ttl-lt" }, { name: "ttl-gt" }],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    if (m.size !== 1) ctx.reject("ttl: exactly one of --ttl-eq, --ttl-lt, --ttl-gt is required");
    const u = [...m.values()][0]!;
    return { op: u.name.slice(4) as Op, value: uintArg(u, ctx, 255), neg: u.negated };
  },
  save: (d) => (d.neg ? `! --ttl-eq ${d.value}` : `--ttl-${d.op} ${d.value}`),
  list: (d) => `TTL match TTL ${d.neg ? "!=" : { eq: "==", lt: "<", gt: ">" }[d.op]} ${d.value}`,
  test(d, { pkt }) {
    const ok = d.op === "eq" ? pkt.ttl === d.value : d.op === "lt" ? pkt.ttl < d.value : pkt.ttl > d.value;
    return ok !== d.neg ? null : { clause: `--ttl-${d.op} ${d.value}`, why: `ttl is ${pkt.ttl}` };
  },
};
export default ttl;
