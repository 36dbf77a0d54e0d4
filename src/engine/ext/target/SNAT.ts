/**
 * -j SNAT: rewrite the source of a new connection (nat POSTROUTING/INPUT).
 *
 * Why: static source NAT for egress; the reply is un-SNATed from the conntrack entry.
 * Linux: xt_nat.c xt_snat_target_v2 -> nf_nat_setup_info(NF_NAT_MANIP_SRC).
 */
import type { NatRange, TargetModule, BuildCtx, OptionUse } from "../types.js";
import { uniqueUses } from "../util.js";
import { formatNatTo, listNatFlags, natFlags, parseNatTo, ruleHasPorts } from "./nat-range.js";

const SNAT: TargetModule<NatRange> = {
  kind: "target",
  name: "SNAT",
  help: "--to-source ip[-ip][:port[-port]] [--random] [--random-fully] [--persistent]",
  tables: ["nat"],
  hooks: ["POSTROUTING", "INPUT"],
  options: [
    { name: "to-source", aliases: ["to"] },
    { name: "random", args: 0 },
    { name: "random-fully", args: 0 },
    { name: "persistent", args: 0 },
  ],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const to = m.get("to-source");
    if (!to) ctx.reject("SNAT: option \"--to-source\" must be specified");
    const r = parseNatTo(to, ctx, ruleHasPorts(ctx));
    r.random = m.has("random");
    r.randomFully = m.has("random-fully");
    r.persistent = m.has("persistent");
    return r;
  },
  save: (r) => `--to-source ${formatNatTo(r)}${natFlags(r, ["random", "random-fully", "persistent"])}`,
  list: (r) => `to:${formatNatTo(r)}${listNatFlags(r)}`,
  usesConntrack: true,
  natManip: "SRC",
  apply: (r, env) => env.nat("SRC", r),
};
export default SNAT;
