/**
 * The routing decision: policy rules, then the longest matching prefix of a table, then the
 * source address — what `ip route get` answers.
 *
 * Why: netfilter's paths fork on it (INPUT vs FORWARD), OUTPUT reroutes on it after DNAT or a
 * mark change, and MASQUERADE takes its source address from it.
 * Linux: fib_rules_lookup -> fib_table_lookup; inet_select_addr for the source.
 */
import { inCidr, prefixToMask, type Ip } from "../model/ipv4.js";
import type { NodeModel, PolicyRule, Route } from "../model/node.js";
import { findInterface } from "../model/node.js";

export interface RouteQuery {
  dst: Ip;
  src?: Ip; // 0/undefined: let the kernel choose
  iif?: string; // set for packets that arrived on an interface
  oif?: string;
  mark: number;
  tos?: number;
}

export type RouteOutcome = "unicast" | "local" | "broadcast" | "multicast" | "mc-not-joined" | "blackhole" | "unreachable" | "prohibit" | "no-route";

/** An arriving packet with this input route goes up to the node (INPUT), not on or nowhere. */
export function deliversLocally(outcome: RouteOutcome): boolean {
  return outcome === "local" || outcome === "broadcast" || outcome === "multicast";
}

export interface RouteResult {
  outcome: RouteOutcome;
  route?: Route;
  table?: number;
  rule?: PolicyRule;
  dev?: string;
  via?: Ip;
  src?: Ip;
  /** The node has policy rules of its own: the kernel then names the local table it used. */
  customRules?: boolean;
}

/** 224.0.0.1, the all-systems group every IPv4 interface is in. */
const ALL_SYSTEMS = 0xe0000001;

export const DEFAULT_POLICY_RULES: PolicyRule[] = [
  { priority: 0, not: false, table: 255, action: "lookup" },
  { priority: 32766, not: false, table: 254, action: "lookup" },
  { priority: 32767, not: false, table: 253, action: "lookup" },
];

function ruleMatches(r: PolicyRule, q: RouteQuery): boolean {
  let m = true;
  if (r.from && !inCidr(q.src ?? 0, r.from) && r.from.prefix !== 0) m = false;
  if (r.to && !inCidr(q.dst, r.to)) m = false;
  if (r.fwmark !== undefined && ((q.mark & (r.fwmask ?? 0xffffffff)) >>> 0) !== r.fwmark) m = false;
  if (r.iif !== undefined && r.iif !== (q.iif ?? "lo")) m = false;
  if (r.oif !== undefined && r.oif !== q.oif) m = false;
  return r.not ? !m : m;
}

function tableLookup(node: NodeModel, table: number, q: RouteQuery): Route | undefined {
  let best: Route | undefined;
  for (const r of node.routes) {
    if (r.table !== table || !inCidr(q.dst, r.dst)) continue;
    if (q.oif && r.dev && r.dev !== q.oif && r.type === "unicast") continue;
    if (r.dev) {
      const dev = findInterface(node, r.dev);
      if (dev && !dev.up && r.type === "unicast") continue;
    }
    if (!best || r.dst.prefix > best.dst.prefix || (r.dst.prefix === best.dst.prefix && r.metric < best.metric)) best = r;
  }
  return best;
}

/** rt_scope_t: the kernel's numbers for a route's and an address's scope (wider scope, smaller number). */
const SCOPE_RANK = { universe: 0, global: 0, link: 253, host: 254 } as const;

/**
 * Linux: inet_select_addr(dev, near, scope) — among `dev`'s addresses no narrower than `scope`,
 * the first whose subnet holds `near` (inet_ifa_match masks both sides), else the first of them;
 * with no `near` (a route without a gateway), the first of them. MASQUERADE asks with universe
 * scope, a route with its own (link for a route without a gateway). Measured
 * (docs/kernel-notes/conntrack-nat-routing.md §2 and §6, kernel scenario 47): with 169.254.1.1/16
 * scope link, 10.9.0.1/24, 10.2.0.1/24 on the out interface, MASQUERADE toward 10.2.0.2 takes
 * 10.2.0.1 and toward 169.254.1.9 takes 10.9.0.1; a device route takes 169.254.1.1.
 */
export function selectSource(node: NodeModel, devName: string | undefined, near: Ip | undefined, scope: "universe" | "link"): Ip | undefined {
  // (loops, not filter/find: MASQUERADE asks this for every new connection a `stats` run makes)
  const dev = findInterface(node, devName);
  if (dev) {
    let first: Ip | undefined;
    for (const a of dev.addrs) {
      if (SCOPE_RANK[a.scope] > SCOPE_RANK[scope]) continue;
      if (near === undefined || ((near ^ a.ip) & prefixMask(a.prefix)) === 0) return a.ip;
      first ??= a.ip;
    }
    if (first !== undefined) return first;
  }
  for (const i of node.interfaces) {
    if (i.name === "lo") continue;
    for (const a of i.addrs) if (a.scope === "global") return a.ip;
  }
  return undefined;
}

const prefixMask = prefixToMask;

export function routeLookup(node: NodeModel, q: RouteQuery): RouteResult {
  const r = lookup(node, q);
  if (node.rules.some((p) => !DEFAULT_POLICY_RULES.some((d) => d.priority === p.priority && d.table === p.table && p.action === "lookup" && !p.from && !p.to && p.fwmark === undefined && !p.iif && !p.oif && !p.not)))
    r.customRules = true;
  return r;
}

/** The policy rules in the order the kernel reads them, sorted once per list (a walk looks routes up several times). */
const sortedRules = new WeakMap<readonly PolicyRule[], { length: number; sorted: PolicyRule[] }>();
function byPriority(rules: readonly PolicyRule[]): PolicyRule[] {
  let s = sortedRules.get(rules);
  // (a list that grew since, as a scenario file builds it, is sorted again)
  if (!s || s.length !== rules.length) sortedRules.set(rules, (s = { length: rules.length, sorted: rules.slice().sort((a, b) => a.priority - b.priority) }));
  return s.sorted;
}

function lookup(node: NodeModel, q: RouteQuery): RouteResult {
  // Linux: ip_route_input_slow delivers the limited broadcast locally before any table is read
  if (q.dst === 0xffffffff && q.iif !== undefined && q.iif !== "lo") return { outcome: "broadcast", dev: q.iif, src: q.src };
  // ip_route_input_rcu: a multicast is for us only in a group joined here (224.0.0.1 always is);
  // without multicast routing any other group is refused (EINVAL) and the packet dropped
  if (q.dst >>> 28 === 0xe && q.iif !== undefined && q.iif !== "lo")
    return q.dst === ALL_SYSTEMS ? { outcome: "multicast", dev: q.iif, src: q.src } : { outcome: "mc-not-joined", dev: q.iif };
  const rules = byPriority(node.rules.length ? node.rules : DEFAULT_POLICY_RULES);
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (!ruleMatches(rule, q)) continue;
    if (rule.action === "nop") continue;
    if (rule.action === "blackhole" || rule.action === "unreachable" || rule.action === "prohibit") {
      return { outcome: rule.action, rule };
    }
    if (rule.action === "goto") {
      const target = rule.gotoPriority ?? 0;
      while (i + 1 < rules.length && rules[i + 1]!.priority < target) i++;
      continue;
    }
    const route = tableLookup(node, rule.table ?? 254, q);
    if (!route || route.type === "throw") continue;
    const base = { route, table: route.table, rule };
    switch (route.type) {
      case "blackhole":
      case "unreachable":
      case "prohibit":
        return { outcome: route.type, ...base };
      case "local":
        return { outcome: "local", ...base, dev: q.iif ?? "lo", src: q.src || route.src || q.dst };
      case "broadcast":
        return { outcome: "broadcast", ...base, dev: route.dev, src: q.src || route.src };
      default: {
        // fib_result_prefsrc: near the gateway, in the route's scope; a device route has no
        // gateway, and takes the device's first address of link scope or wider
        const src = q.src || route.src || selectSource(node, route.dev, route.via, route.scope === "link" ? "link" : "universe");
        return { outcome: "unicast", ...base, dev: route.dev, via: route.via, src };
      }
    }
  }
  return { outcome: "no-route" };
}
