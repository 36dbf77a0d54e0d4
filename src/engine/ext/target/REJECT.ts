/**
 * -j REJECT: drop, and tell the sender (ICMP error or TCP reset).
 *
 * Why: kube-proxy rejects Services with no endpoints ("has no endpoints"). The kernel trace
 * shows the verdict as DROP: the rejection packet is sent separately.
 * Linux: ipt_REJECT.c — filter table only (INPUT, FORWARD, OUTPUT and chains called from them).
 */
import type { TargetModule, BuildCtx, OptionUse } from "../types.js";
import { arg, uniqueUses } from "../util.js";

export const REJECT_TYPES: Record<string, string> = {
  "icmp-net-unreachable": "icmp-net-unreachable", "net-unreach": "icmp-net-unreachable",
  "icmp-host-unreachable": "icmp-host-unreachable", "host-unreach": "icmp-host-unreachable",
  "icmp-proto-unreachable": "icmp-proto-unreachable", "proto-unreach": "icmp-proto-unreachable",
  "icmp-port-unreachable": "icmp-port-unreachable", "port-unreach": "icmp-port-unreachable",
  "icmp-net-prohibited": "icmp-net-prohibited", "net-prohib": "icmp-net-prohibited",
  "icmp-host-prohibited": "icmp-host-prohibited", "host-prohib": "icmp-host-prohibited",
  "icmp-admin-prohibited": "icmp-admin-prohibited", "admin-prohib": "icmp-admin-prohibited",
  "tcp-reset": "tcp-reset", "tcp-rst": "tcp-reset",
};

const REJECT: TargetModule<{ with: string }> = {
  kind: "target",
  name: "REJECT",
  help: "[--reject-with icmp-port-unreachable|icmp-host-unreachable|tcp-reset|...]",
  tables: ["filter"],
  hooks: ["INPUT", "FORWARD", "OUTPUT"],
  options: [{ name: "reject-with" }],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const u = uniqueUses(uses, ctx).get("reject-with");
    if (!u) return { with: "icmp-port-unreachable" };
    const kind = REJECT_TYPES[arg(u, ctx)];
    if (!kind) ctx.fail(u.argTokens[0] ?? u.token, `unknown reject type "${u.args[0]}"`);
    if (kind === "tcp-reset" && (ctx.proto !== 6 || ctx.protoNegated)) ctx.kernelReject("REJECT --reject-with tcp-reset needs -p tcp");
    return { with: kind };
  },
  save: (d) => `--reject-with ${d.with}`,
  list: (d) => `reject-with ${d.with}`,
  apply(d, env) {
    env.reject(d.with);
    return "drop";
  },
};
export default REJECT;
