/**
 * -j REDIRECT: DNAT to the node itself (the incoming interface's address, or 127.0.0.1 locally).
 *
 * Why: transparent proxies (Istio's 15001) and kube-proxy's old userspace mode.
 * Linux: nf_nat_redirect_ipv4.
 */
import type { NatRange, TargetModule, BuildCtx, OptionUse } from "../types.js";
import { uniqueUses } from "../util.js";
import { findInterface } from "../../model/node.js";
import { parseIp } from "../../model/ipv4.js";

const LOOPBACK = parseIp("127.0.0.1")!;
import { formatPorts, listNatFlags, natFlags, toPorts } from "./nat-range.js";

const REDIRECT: TargetModule<NatRange> = {
  kind: "target",
  name: "REDIRECT",
  help: "[--to-ports port[-port]] [--random]",
  tables: ["nat"],
  hooks: ["PREROUTING", "OUTPUT"],
  options: [{ name: "to-ports" }, { name: "random", args: 0 }],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    return { ...toPorts(m, ctx), random: m.has("random") };
  },
  save: (r) => `${r.minPort !== undefined ? `--to-ports ${formatPorts(r)}` : ""}${natFlags(r, ["random"])}`.trim(),
  list: (r) => `${r.minPort !== undefined ? `redir ports ${formatPorts(r)}` : ""}${listNatFlags(r)}`.trim(),
  usesConntrack: true,
  natManip: "DST",
  apply(r, env) {
    // locally generated packets go to 127.0.0.1; arriving ones to their interface's first address
    const ip = env.hook === "OUTPUT" ? LOOPBACK : findInterface(env.node, env.inIf)?.addrs[0]?.ip;
    if (ip === undefined) return "drop";
    return env.nat("DST", { minIp: ip, maxIp: ip, minPort: r.minPort, maxPort: r.maxPort, random: r.random, randomFully: r.randomFully, persistent: r.persistent });
  },
};
export default REDIRECT;
