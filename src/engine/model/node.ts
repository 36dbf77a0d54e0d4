/**
 * The host the packet walks through: its interfaces and addresses, routing tables, policy
 * rules and ipsets.
 *
 * Why: addrtype, MASQUERADE's source choice, rpfilter, `-o` after a reroute and the routing
 * decision all need the node, not just the ruleset. It is plain data so that canned scenarios,
 * snapshots and `--live` all produce the same thing.
 */
import type { Cidr, Ip } from "./ipv4.js";

export interface IfAddr {
  ip: Ip;
  prefix: number;
  scope: "global" | "link" | "host";
  broadcast?: Ip;
}

export interface Interface {
  name: string;
  index: number;
  mac: string; // "aa:bb:cc:dd:ee:ff"; "" for interfaces without L2 (lo shows 00:..)
  mtu: number;
  up: boolean;
  addrs: IfAddr[];
  kind?: string; // veth, vxlan, bridge, loopback...
}

export type RouteType = "unicast" | "local" | "broadcast" | "blackhole" | "unreachable" | "prohibit" | "throw" | "multicast" | "anycast";

export interface Route {
  table: number; // 254 main, 255 local, 253 default
  type: RouteType;
  dst: Cidr;
  via?: Ip;
  dev?: string;
  src?: Ip;
  scope: "universe" | "link" | "host";
  metric: number;
  onlink: boolean;
  proto?: string;
}

export interface PolicyRule {
  priority: number;
  not: boolean;
  from?: Cidr;
  to?: Cidr;
  fwmark?: number;
  fwmask?: number;
  iif?: string;
  oif?: string;
  table?: number;
  action: "lookup" | "blackhole" | "unreachable" | "prohibit" | "goto" | "nop";
  gotoPriority?: number;
}

export type IpsetType = "hash:ip" | "hash:net" | "hash:ip,port" | "hash:net,port" | "list:set" | "bitmap:port" | "hash:net,iface" | "hash:ip,port,ip" | "hash:ip,port,net" | "hash:ip,mac";

export interface IpsetMember {
  net?: Cidr; // ip / net
  proto?: number;
  port?: number;
  portTo?: number;
  set?: string; // list:set member
  nomatch?: boolean;
  text: string; // as ipset save printed it
}

export interface Ipset {
  name: string;
  type: IpsetType;
  header: string; // the create line's options, for save
  members: IpsetMember[];
}

export interface NodeModel {
  hostname: string;
  interfaces: Interface[];
  routes: Route[];
  rules: PolicyRule[];
  ipsets: Map<string, Ipset>;
  /** sysctls that change the walk (ip_forward, rp_filter, tcp_loose...). */
  sysctl: Record<string, string>;
  /**
   * The sockets listening for TCP and UDP (from `ss -Hlntu`), when known: then a packet delivered
   * to a port nobody listens on is answered by the stack (RST, ICMP port-unreachable).
   */
  listeners?: Listener[];
}

export interface Listener {
  proto: "tcp" | "udp";
  /** 0: any address */
  addr: number;
  port: number;
}

export const TABLE_IDS: Record<string, number> = { local: 255, main: 254, default: 253, unspec: 0 };

export function tableName(id: number): string {
  for (const [k, v] of Object.entries(TABLE_IDS)) if (v === id) return k;
  return String(id);
}

export function findInterface(node: NodeModel, name: string | undefined): Interface | undefined {
  return node.interfaces.find((i) => i.name === name);
}
