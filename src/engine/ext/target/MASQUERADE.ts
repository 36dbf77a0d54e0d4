/**
 * -j MASQUERADE: SNAT to the address of the outgoing interface (nat POSTROUTING).
 *
 * Why: kube-proxy's KUBE-POSTROUTING and Calico's cali-nat-outgoing hide pod/node sources this
 * way; with --random-fully the source port is drawn at random (1024-65535).
 * Linux: nf_nat_masquerade_ipv4 — source = inet_select_addr(out, nexthop, RT_SCOPE_UNIVERSE).
 */
import type { NatRange, TargetModule, BuildCtx, OptionUse } from "../types.js";
import { uniqueUses } from "../util.js";
import { selectSource } from "../../route/lookup.js";
import { formatPorts, listNatFlags, natFlags, toPorts } from "./nat-range.js";

const MASQUERADE: TargetModule<NatRange> = {
  kind: "target",
  name: "MASQUERADE",
  help: "[--to-ports port[-port]] [--random] [--random-fully]",
  tables: ["nat"],
  hooks: ["POSTROUTING"],
  options: [
    { name: "to-ports" },
    { name: "random", args: 0 },
    { name: "random-fully", args: 0 },
  ],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    return { ...toPorts(m, ctx), random: m.has("random"), randomFully: m.has("random-fully") };
  },
  save: (r) => `${r.minPort !== undefined ? `--to-ports ${formatPorts(r)}` : ""}${natFlags(r, ["random", "random-fully"])}`.trim(),
  list: (r) => `${r.minPort !== undefined ? `masq ports: ${formatPorts(r)}` : ""}${listNatFlags(r)}`.trim(),
  usesConntrack: true,
  natManip: "SRC",
  apply(r, env) {
    // the source is the outgoing interface's address nearest the next hop, of universe scope
    // (nf_nat_masquerade_ipv4: inet_select_addr(out, nh, RT_SCOPE_UNIVERSE))
    const src = selectSource(env.node, env.outIf, env.nextHop ?? env.pkt.dst, "universe");
    if (src === undefined) return "drop";
    // (a literal of one shape, not a spread: this runs for every masqueraded connection)
    return env.nat("SRC", { minIp: src, maxIp: src, minPort: r.minPort, maxPort: r.maxPort, random: r.random, randomFully: r.randomFully, persistent: r.persistent });
  },
};
export default MASQUERADE;
