/**
 * -j REDIRECT: DNAT to the node itself (the incoming interface's address, or 127.0.0.1 locally).
 *
 * Why: transparent proxies (Istio's 15001) and kube-proxy's old userspace mode.
 * Linux: nf_nat_redirect_ipv4.
 */
import type { NatRange, TargetModule, BuildCtx, OptionUse } from "../types.js";
import { arg, uniqueUses } from "../util.js";
import { formatPorts, listNatFlags, natFlags, parsePortsOnly, ruleHasPorts } from "./nat-range.js";

const REDIRECT: TargetModule<NatRange> = {
  kind: "target",
  name: "REDIRECT",
  help: "[--to-ports port[-port]] [--random]",
  tables: ["nat"],
  hooks: ["PREROUTING", "OUTPUT"],
  options: [{ name: "to-ports" }, { name: "random", args: 0 }],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const tp = m.get("to-ports");
    let r: NatRange = {};
    if (tp) {
      if (!ruleHasPorts(ctx)) ctx.fail(tp.token, "Need TCP, UDP, SCTP or DCCP with port specification");
      r = parsePortsOnly(arg(tp, ctx), tp, ctx);
    }
    r.random = m.has("random");
    return r;
  },
  save: (r) => `${r.minPort !== undefined ? `--to-ports ${formatPorts(r)}` : ""}${natFlags(r, ["random"])}`.trim(),
  list: (r) => `${r.minPort !== undefined ? `redir ports ${formatPorts(r)}` : ""}${listNatFlags(r)}`.trim(),
  apply: (r, env) => env.nat("redirect", r),
};
export default REDIRECT;
