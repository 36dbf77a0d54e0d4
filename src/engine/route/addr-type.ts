/**
 * The kernel's idea of an address's type (LOCAL, UNICAST, BROADCAST...), optionally seen from
 * one interface.
 *
 * Why: `-m addrtype --dst-type LOCAL` sends NodePort traffic to KUBE-NODEPORTS, and Calico's
 * MASQUERADE rule uses `! --src-type LOCAL --limit-iface-out`.
 * Linux: inet_addr_type_table / inet_dev_addr_type — a lookup in the local table, which with a
 * device answers LOCAL only when the local route belongs to that device.
 */
import { inCidr, type Ip } from "../model/ipv4.js";
import type { NodeModel, RouteType } from "../model/node.js";

export const ADDR_TYPES = [
  "UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST", "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE",
] as const;
export type AddrType = (typeof ADDR_TYPES)[number];

const FROM_ROUTE: Partial<Record<RouteType, AddrType>> = {
  unicast: "UNICAST", local: "LOCAL", broadcast: "BROADCAST", anycast: "ANYCAST", multicast: "MULTICAST",
  blackhole: "BLACKHOLE", unreachable: "UNREACHABLE", prohibit: "PROHIBIT", throw: "THROW",
};

export function addrType(node: NodeModel, ip: Ip, dev?: string): AddrType {
  if (ip === 0 || ip === 0xffffffff) return ip === 0 ? "BROADCAST" : "BROADCAST";
  if ((ip >>> 28) === 0xe) return "MULTICAST";
  // local table (255) first, longest prefix
  let best: { type: RouteType; prefix: number; dev?: string } | undefined;
  for (const r of node.routes) {
    if (r.table !== 255 || !inCidr(ip, r.dst)) continue;
    if (!best || r.dst.prefix > best.prefix) best = { type: r.type, prefix: r.dst.prefix, dev: r.dev };
  }
  if (best) {
    if (dev !== undefined && best.dev !== undefined && best.dev !== dev && (best.type === "local" || best.type === "broadcast")) return "UNICAST";
    return FROM_ROUTE[best.type] ?? "UNICAST";
  }
  // Linux: __inet_dev_addr_type looks only in the local table; anything else is UNICAST
  return "UNICAST";
}
