/**
 * -j DNAT: rewrite the destination of a new connection (nat PREROUTING/OUTPUT).
 *
 * Why: this is where a ClusterIP becomes a pod IP (KUBE-SEP-* chains). The binding lives in the
 * conntrack entry; later packets and replies are rewritten from it without the nat table.
 * Linux: xt_nat.c xt_dnat_target_v2 -> nf_nat_setup_info(NF_NAT_MANIP_DST); verdict NF_ACCEPT.
 */
import type { NatRange, TargetModule, BuildCtx, OptionUse } from "../types.js";
import { uniqueUses } from "../util.js";
import { formatNatTo, listNatFlags, natFlags, parseNatTo, ruleHasPorts } from "./nat-range.js";

const DNAT: TargetModule<NatRange> = {
  kind: "target",
  name: "DNAT",
  help: "--to-destination ip[-ip][:port[-port]] [--random] [--persistent]",
  tables: ["nat"],
  hooks: ["PREROUTING", "OUTPUT"],
  options: [
    { name: "to-destination", aliases: ["to"] },
    { name: "random", args: 0 },
    { name: "persistent", args: 0 },
  ],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const to = m.get("to-destination");
    if (!to) ctx.reject("DNAT: option \"--to-destination\" must be specified");
    // one literal with every field: a kube-proxy node keeps one of these per endpoint
    const r = parseNatTo(to, ctx, ruleHasPorts(ctx));
    return { minIp: r.minIp, maxIp: r.maxIp, minPort: r.minPort, maxPort: r.maxPort, random: m.has("random"), persistent: m.has("persistent") };
  },
  save: (r) => `--to-destination ${formatNatTo(r)}${natFlags(r, ["random", "persistent"])}`,
  list: (r) => `to:${formatNatTo(r)}${listNatFlags(r)}`,
  usesConntrack: true,
  natManip: "DST",
  apply: (r, env) => env.nat("DST", r),
};
export default DNAT;
