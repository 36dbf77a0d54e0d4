/**
 * The `node:` part of a scenario file: interfaces, routes in `ip route` words, policy rules in
 * `ip rule` words, sysctls and listening sockets, read into the same NodeModel snapshots and the
 * canned node produce.
 *
 * Why: a teacher describes a node the way `ip addr`, `ip route` and `ip rule` print one, and gets
 * what the kernel would add by itself (lo, the local table, the connected route of each address)
 * without writing it. Every value is checked the way iproute2 or the kernel would refuse it, and
 * the error names the field, e.g. `node.routes[2]: no interface "eth9"`.
 */
import { formatIp, inCidr, parseCidr, parseIp, prefixToMask, type Cidr } from "../engine/model/ipv4.js";
import { TABLE_IDS, type IfAddr, type Interface, type Listener, type NodeModel, type PolicyRule, type Route, type RouteType } from "../engine/model/node.js";
import { didYouMean } from "../engine/parse/errors.js";
import { CONNTRACK_SYSCTLS } from "../engine/conntrack/table.js";
import { SYSCTL_DEFAULTS } from "../engine/model/sysctls.js";
import { deriveLocalRoutes } from "./ip-json.js";
import { words, type Field, type ScenarioDoc } from "./scenario-yaml.js";

export const NODE_KEYS = ["hostname", "interfaces", "routes", "rules", "sysctls", "listening"] as const;
const IFACE_KEYS = ["name", "index", "mac", "mtu", "up", "addresses"] as const;

/** The sysctls the walk reads; others are kept but change nothing (a warning says so). */
export const KNOWN_SYSCTLS = Object.keys(SYSCTL_DEFAULTS);

const DEFAULT_POLICY: PolicyRule[] = [
  { priority: 0, not: false, table: 255, action: "lookup" },
  { priority: 32766, not: false, table: 254, action: "lookup" },
  { priority: 32767, not: false, table: 253, action: "lookup" },
];

const LOOPBACK: Interface = { name: "lo", index: 1, mac: "00:00:00:00:00:00", mtu: 65536, up: true, addrs: [{ ip: 0x7f000001, prefix: 8, scope: "host" }], kind: "loopback" };

/** Builds the node from `node:` on top of `base` (the article's node) or an empty host. */
export function readNode(y: ScenarioDoc, f: Field | undefined, base: NodeModel | undefined, warnings: string[]): NodeModel {
  const node: NodeModel = base
    ? { ...base, interfaces: [...base.interfaces], routes: [...base.routes], rules: [...base.rules], sysctl: { ...base.sysctl }, ipsets: new Map(base.ipsets) }
    : { hostname: "node", interfaces: [{ ...LOOPBACK, addrs: [...LOOPBACK.addrs] }], routes: [], rules: DEFAULT_POLICY.map((r) => ({ ...r })), ipsets: new Map(), sysctl: { "net.ipv4.ip_forward": "1" } };
  if (!f) return node;
  const fields = y.fields(f, NODE_KEYS);
  const hostname = fields.get("hostname");
  if (hostname) node.hostname = y.str(hostname);
  const ifaces = fields.get("interfaces");
  if (ifaces) for (const i of y.list(ifaces)) addInterface(node, readInterface(y, i, node, warnings));
  const routes = fields.get("routes");
  const given: Route[] = [];
  if (routes)
    for (const r of y.list(routes)) {
      if (isIpv6(y.str(r))) {
        warnings.push(`${y.file}:${y.where(r.node).line}: ${r.path}: an IPv6 route, left out (ktrace models IPv4)`);
        continue;
      }
      const route = readRoute(y, r, node);
      const same = (o: Route) => o.table === route.table && sameCidr(o.dst, route.dst) && o.metric === route.metric;
      if (given.some(same)) y.fail(r, `a route to ${y.str(r).split(/\s+/).find((w) => /^[\d.]+(\/\d+)?$|^default$/.test(w))} with this table and metric is already listed (ip route add would say: File exists)`, y.str(r));
      given.push(route);
      // as `ip route replace`: the same destination, table and metric replaces the base's route
      node.routes = node.routes.filter((o) => !same(o));
      node.routes.push(route);
    }
  // an interface given again loses the kernel routes of addresses it no longer has
  node.routes = node.routes.filter((r) => r.proto !== "kernel" || r.src === undefined || node.interfaces.some((i) => i.name === r.dev && i.addrs.some((a) => a.ip === r.src)));
  addKernelRoutes(node);
  const rules = fields.get("rules");
  if (rules) {
    const read = y.list(rules).map((r) => readPolicyRule(y, r));
    const kept = (node.rules.length ? node.rules : DEFAULT_POLICY).filter((d) => !read.some((r) => r.priority === d.priority));
    node.rules = [...kept, ...read].sort((a, b) => a.priority - b.priority);
  }
  const sysctls = fields.get("sysctls");
  if (sysctls) readSysctls(y, sysctls, node, warnings);
  const listening = fields.get("listening");
  if (listening) node.listeners = y.list(listening).map((l) => readListener(y, l));
  return node;
}

function addInterface(node: NodeModel, i: Interface) {
  const at = node.interfaces.findIndex((o) => o.name === i.name);
  if (at >= 0) node.interfaces[at] = i;
  else node.interfaces.push(i);
}

function readInterface(y: ScenarioDoc, f: Field, node: NodeModel, warnings: string[]): Interface {
  const fields = y.fields(f, IFACE_KEYS, ["name"]);
  const nameField = fields.get("name")!;
  const name = y.str(nameField);
  if (!/^[^\s/:]{1,15}$/.test(name)) y.fail(nameField, `"${name}" is not an interface name (1 to 15 characters, no spaces, "/" or ":")`);
  const old = node.interfaces.find((o) => o.name === name);
  const get = <T>(k: (typeof IFACE_KEYS)[number], read: (f: Field) => T, dflt: T): T => (fields.has(k) ? read(fields.get(k)!) : dflt);
  const index = get("index", (x) => y.int(x, 1, 2 ** 31 - 1), old?.index ?? Math.max(0, ...node.interfaces.map((o) => o.index)) + 1);
  const clash = node.interfaces.find((o) => o.index === index && o.name !== name);
  if (clash) y.fail(fields.get("index") ?? nameField, `index ${index} is already ${clash.name}'s`, String(index));
  const mac = get(
    "mac",
    (x) => {
      const m = y.str(x).toLowerCase();
      if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(m)) y.fail(x, `"${y.str(x)}" is not a MAC address (six hex pairs: 02:42:0a:00:00:02)`);
      return m;
    },
    old?.mac ?? (name === "lo" ? "00:00:00:00:00:00" : `02:00:00:00:${((index >> 8) & 255).toString(16).padStart(2, "0")}:${(index & 255).toString(16).padStart(2, "0")}`),
  );
  const mtu = get("mtu", (x) => y.int(x, 68, 65536), old?.mtu ?? (name === "lo" ? 65536 : 1500));
  const up = get("up", (x) => y.bool(x), old?.up ?? true);
  const addrs = get(
    "addresses",
    (x) =>
      y.list(x).flatMap((a) => {
        if (!isIpv6(y.str(a))) return [readAddress(y, a, name)];
        warnings.push(`${y.file}:${y.where(a.node).line}: ${a.path}: an IPv6 address, left out (ktrace models IPv4)`);
        return [];
      }),
    old?.addrs ?? [],
  );
  return { name, index, mac, mtu, up, addrs, kind: name === "lo" ? "loopback" : (old?.kind ?? "ether") };
}

/** "10.0.0.2/24", "10.0.0.2" (/32), optionally "… scope host|link|global". */
function readAddress(y: ScenarioDoc, f: Field, dev: string): IfAddr {
  const text = y.str(f);
  const ws = words(text);
  const first = ws[0];
  const bad = (w: { text: string; at: number } | undefined, msg: string): never => y.fail(f, msg, w?.text ?? text, y.tokenOffset(f, w?.at ?? 0));
  if (!first) return bad(undefined, "empty address");
  const m = /^([^/]+)(?:\/(\d{1,2}))?$/.exec(first.text);
  const ip = m ? parseIp(m[1]!) : undefined;
  const prefix = m?.[2] !== undefined ? Number(m[2]) : 32;
  if (!m || ip === undefined || prefix > 32) bad(first, `"${first.text}" is not an IPv4 address with a prefix length (e.g. 10.0.0.2/24)`);
  let scope: IfAddr["scope"] = dev === "lo" || ip! >>> 24 === 127 ? "host" : "global";
  for (let i = 1; i < ws.length; i++) {
    const w = ws[i]!;
    if (w.text === "scope") {
      const v = ws[++i];
      if (v?.text !== "host" && v?.text !== "link" && v?.text !== "global") bad(v ?? w, `scope is host, link or global`);
      scope = v!.text as IfAddr["scope"];
    } else bad(w, `unexpected "${w.text}" (an address is "10.0.0.2/24", optionally followed by "scope host|link|global")`);
  }
  // `ip addr add … brd +`, as iproute2 and network managers set it; none on lo or /31, /32
  const broadcast = dev !== "lo" && prefix < 31 ? ((ip! & prefixToMask(prefix)) | (~prefixToMask(prefix) >>> 0)) >>> 0 : undefined;
  return { ip: ip!, prefix, scope, ...(broadcast !== undefined ? { broadcast } : {}) };
}

const ROUTE_TYPES: RouteType[] = ["unicast", "local", "broadcast", "blackhole", "unreachable", "prohibit", "throw", "multicast", "anycast"];

function tableOf(text: string): number | undefined {
  if (text in TABLE_IDS) return TABLE_IDS[text];
  return /^\d+$/.test(text) && Number(text) > 0 && Number(text) < 2 ** 32 ? Number(text) : undefined;
}

/** `[TYPE] PREFIX|default [via GW] [dev IF] [table ID] [proto P] [scope S] [src ADDR] [metric N] [onlink]` */
function readRoute(y: ScenarioDoc, f: Field, node: NodeModel): Route {
  const text = y.str(f);
  const ws = words(text);
  const bad = (w: { text: string; at: number } | undefined, msg: string): never => y.fail(f, msg, w?.text ?? text, y.tokenOffset(f, w?.at ?? 0));
  let i = 0;
  let type: RouteType = "unicast";
  if (ws[0] && (ROUTE_TYPES as string[]).includes(ws[0].text)) type = ws[i++]!.text as RouteType;
  const dstWord = ws[i++];
  if (!dstWord) return bad(undefined, `a route needs a destination ("default" or a prefix such as 10.244.1.0/24)`);
  let dst: Cidr | undefined;
  if (dstWord.text === "default") dst = parseCidr("0.0.0.0/0");
  else {
    dst = /^[\d.]+(\/\d{1,2})?$/.test(dstWord.text) ? parseCidr(dstWord.text) : undefined;
    if (!dst) bad(dstWord, `"${dstWord.text}" is not a destination ("default" or a prefix such as 10.244.1.0/24)`);
    const given = parseIp(dstWord.text.split("/")[0]!)!;
    if (given !== dst!.addr) bad(dstWord, `"${dstWord.text}" has host bits set: the prefix is ${formatIp(dst!.addr)}/${dst!.prefix} (ip route refuses it: Invalid prefix for given prefix length)`);
  }
  const route: Route = { table: type === "local" || type === "broadcast" ? 255 : 254, type, dst: dst!, scope: "universe", metric: 0, onlink: false };
  let scopeGiven = false;
  const value = (w: { text: string; at: number }) => ws[++i] ?? bad(w, `"${w.text}" needs a value`);
  for (; i < ws.length; i++) {
    const w = ws[i]!;
    switch (w.text) {
      case "via": {
        const v = value(w);
        const ip = parseIp(v.text);
        if (ip === undefined) bad(v, `"${v.text}" is not an IPv4 gateway address`);
        route.via = ip;
        break;
      }
      case "dev":
      case "oif": {
        const v = value(w);
        if (!node.interfaces.some((d) => d.name === v.text)) {
          const near = didYouMean(v.text, node.interfaces.map((d) => d.name));
          bad(v, `no interface "${v.text}" on this node${near ? ` (did you mean ${near}?)` : ""}; interfaces: ${node.interfaces.map((d) => d.name).join(", ")}`);
        }
        route.dev = v.text;
        break;
      }
      case "table": {
        const v = value(w);
        const t = tableOf(v.text);
        if (t === undefined) bad(v, `"${v.text}" is not a routing table (local, main, default or a number)`);
        route.table = t!;
        break;
      }
      case "proto":
      case "protocol":
        route.proto = value(w).text;
        break;
      case "scope": {
        const v = value(w);
        if (!["host", "link", "global", "universe"].includes(v.text)) bad(v, `scope is host, link or global`);
        route.scope = v.text === "host" ? "host" : v.text === "link" ? "link" : "universe";
        scopeGiven = true;
        break;
      }
      case "src": {
        const v = value(w);
        const ip = parseIp(v.text);
        if (ip === undefined) bad(v, `"${v.text}" is not an IPv4 address`);
        if (!node.interfaces.some((d) => d.addrs.some((a) => a.ip === ip))) bad(v, `src ${v.text} is not an address of this node (the kernel refuses it: Invalid prefsrc address)`);
        route.src = ip;
        break;
      }
      case "metric":
      case "preference":
      case "priority": {
        const v = value(w);
        if (!/^\d+$/.test(v.text)) bad(v, `"${v.text}" is not a metric (a whole number)`);
        route.metric = Number(v.text);
        break;
      }
      case "onlink":
        route.onlink = true;
        break;
      case "linkdown": // what ip route prints for a route on a down link; nothing to model
        break;
      case "mtu":
      case "advmss":
        if (!/^\d+$/.test(value(w).text)) bad(ws[i], `"${ws[i]!.text}" is not a number`);
        break;
      default:
        bad(w, `unexpected "${w.text}" in a route (words: via, dev, table, proto, scope, src, metric, onlink)`);
    }
  }
  if (type === "unicast" || type === "local" || type === "broadcast") {
    if (route.via !== undefined && route.dev === undefined) {
      const dev = node.interfaces.find((d) => d.addrs.some((a) => a.prefix < 32 && inCidr(route.via!, { addr: (a.ip & prefixToMask(a.prefix)) >>> 0, mask: prefixToMask(a.prefix), prefix: a.prefix })));
      if (!dev) bad(ws.find((x) => x.text === "via"), `gateway ${formatIp(route.via)} is on no interface's subnet: add "dev NAME onlink"`);
      route.dev = dev!.name;
    }
    if (route.dev === undefined) bad(dstWord, `a ${type} route needs "dev NAME" or "via GATEWAY"`);
  }
  if (!scopeGiven) route.scope = type === "local" ? "host" : type === "broadcast" || (type === "unicast" && route.via === undefined) ? "link" : "universe";
  return route;
}

/** `[N:] [priority N] [not] [from P|all] [to P|all] [fwmark M[/MASK]] [iif IF] [oif IF] lookup T | goto N | blackhole | unreachable | prohibit | nop` */
function readPolicyRule(y: ScenarioDoc, f: Field): PolicyRule {
  const text = y.str(f);
  const ws = words(text);
  const bad = (w: { text: string; at: number } | undefined, msg: string): never => y.fail(f, msg, w?.text ?? text, y.tokenOffset(f, w?.at ?? 0));
  const rule: PolicyRule = { priority: -1, not: false, action: "nop" };
  let actionSet = false;
  let i = 0;
  const value = (w: { text: string; at: number }) => ws[++i] ?? bad(w, `"${w.text}" needs a value`);
  const prio = (w: { text: string; at: number }, t: string) => {
    if (!/^\d+$/.test(t) || Number(t) > 2 ** 32 - 1) bad(w, `"${t}" is not a priority (a whole number)`);
    rule.priority = Number(t);
  };
  const prefix = (v: { text: string; at: number }) => {
    if (v.text === "all") return undefined;
    const c = /^[\d.]+(\/\d{1,2})?$/.test(v.text) ? parseCidr(v.text) : undefined;
    return c ?? bad(v, `"${v.text}" is not a prefix ("all" or e.g. 10.0.0.0/8)`);
  };
  const action = (w: { text: string; at: number }, a: PolicyRule["action"]) => {
    if (actionSet) bad(w, `a rule has one action (lookup, goto, blackhole, unreachable, prohibit or nop)`);
    actionSet = true;
    rule.action = a;
  };
  if (ws[0] && /^\d+:$/.test(ws[0].text)) prio(ws[i]!, ws[i++]!.text.slice(0, -1));
  for (; i < ws.length; i++) {
    const w = ws[i]!;
    switch (w.text) {
      case "priority":
      case "pref":
      case "preference":
      case "order":
        prio(w, value(w).text);
        break;
      case "not":
        rule.not = true;
        break;
      case "from":
        rule.from = prefix(value(w));
        break;
      case "to":
        rule.to = prefix(value(w));
        break;
      case "fwmark": {
        const v = value(w);
        const [m, mask] = v.text.split("/");
        const num = (t: string | undefined) => (t !== undefined && /^(0x[0-9a-f]+|\d+)$/i.test(t) && Number(t) <= 0xffffffff ? Number(t) : undefined);
        const mark = num(m);
        const mk = mask === undefined ? undefined : num(mask);
        if (mark === undefined || (mask !== undefined && mk === undefined)) bad(v, `"${v.text}" is not a mark (0x4000 or 0x4000/0xc000)`);
        rule.fwmark = mark;
        if (mk !== undefined) rule.fwmask = mk;
        break;
      }
      case "iif":
      case "dev":
        rule.iif = value(w).text;
        break;
      case "oif":
        rule.oif = value(w).text;
        break;
      case "lookup":
      case "table": {
        const v = value(w);
        const t = tableOf(v.text);
        if (t === undefined) bad(v, `"${v.text}" is not a routing table (local, main, default or a number)`);
        action(w, "lookup");
        rule.table = t;
        break;
      }
      case "goto": {
        const v = value(w);
        if (!/^\d+$/.test(v.text)) bad(v, `"${v.text}" is not a rule priority`);
        action(w, "goto");
        rule.gotoPriority = Number(v.text);
        break;
      }
      case "blackhole":
      case "unreachable":
      case "prohibit":
      case "nop":
        action(w, w.text);
        break;
      default:
        bad(w, `unexpected "${w.text}" in a policy rule (words: priority, not, from, to, fwmark, iif, oif, lookup, goto, blackhole, unreachable, prohibit)`);
    }
  }
  if (rule.priority < 0) bad(ws[0], `a policy rule needs its priority: "100: from all fwmark 0x1 lookup 100" (as ip rule prints it) or "priority 100 …"`);
  if (!actionSet) bad(ws[ws.length - 1], `a policy rule needs an action: lookup TABLE, goto N, blackhole, unreachable, prohibit or nop`);
  if (rule.action === "goto" && rule.gotoPriority! <= rule.priority) bad(ws.find((x) => x.text === "goto"), `goto must jump forward, to a priority above ${rule.priority}`);
  return rule;
}

function readSysctls(y: ScenarioDoc, f: Field, node: NodeModel, warnings: string[]) {
  const known = [...KNOWN_SYSCTLS, ...node.interfaces.map((i) => `net.ipv4.conf.${i.name}.rp_filter`)];
  for (const { name, key, value } of y.entries(f)) {
    if (!/^[a-z0-9_]+(\.[\w-]+)+$/i.test(name)) y.fail(key, `"${name}" is not a sysctl name (dotted, as sysctl -a prints it: net.ipv4.ip_forward)`, name);
    const v = y.str(value).trim();
    if (v === "" || /\s/.test(v)) y.fail(value, `expected one value (a number such as 1), got ${JSON.stringify(v)}`);
    if (!known.includes(name)) {
      const near = didYouMean(name, known);
      warnings.push(`${y.file}:${y.where(key.node).line}: ${name} is kept but ktrace does not model it${near ? ` (did you mean ${near}?)` : ""}; the walk reads: ${KNOWN_SYSCTLS.filter((k) => !CONNTRACK_SYSCTLS.includes(k)).join(", ")}, net.ipv4.conf.IF.rp_filter, and conntrack's ${CONNTRACK_SYSCTLS.length} (net.netfilter.nf_conntrack_tcp_be_liberal, _tcp_loose, _tcp_max_retrans, _tcp_ignore_invalid_rst and the *_timeout* values)`);
    }
    node.sysctl[name] = v;
  }
}

/** "tcp 0.0.0.0:22", "udp *:53", "tcp 10.0.0.2:8080": the sockets `ss -lntu` lists. */
function readListener(y: ScenarioDoc, f: Field): Listener {
  const text = y.str(f);
  const ws = words(text);
  const bad = (w: { text: string; at: number } | undefined, msg: string): never => y.fail(f, msg, w?.text ?? text, y.tokenOffset(f, w?.at ?? 0));
  const [p, a, extra] = ws;
  if (p?.text !== "tcp" && p?.text !== "udp") return bad(p, `a listening socket is "tcp ADDRESS:PORT" or "udp ADDRESS:PORT" (e.g. "tcp 0.0.0.0:22")`);
  if (!a) return bad(p, `"${p.text}" needs ADDRESS:PORT (e.g. 0.0.0.0:22, *:53)`);
  if (extra) bad(extra, `unexpected "${extra.text}" after the address`);
  const colon = a.text.lastIndexOf(":");
  const host = a.text.slice(0, colon);
  const portText = a.text.slice(colon + 1);
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (colon < 0 || !(port >= 1 && port <= 65535)) bad(a, `"${a.text}" needs a port from 1 to 65535 after a colon (e.g. 0.0.0.0:22)`);
  const addr = host === "*" || host === "0.0.0.0" ? 0 : parseIp(host);
  if (addr === undefined) bad(a, `"${host}" is not an IPv4 address (or * / 0.0.0.0 for any)`);
  return { proto: p.text, addr: addr!, port };
}

/** An IPv6 route or address line: its first address-like word has a colon. */
function isIpv6(text: string): boolean {
  const first = words(text).find((w) => !(ROUTE_TYPES as string[]).includes(w.text));
  return first !== undefined && first.text.includes(":");
}

function sameCidr(a: Cidr, b: Cidr): boolean {
  return a.addr === b.addr && a.mask === b.mask;
}

/** What the kernel adds for each address: local-table routes and the connected route in main. */
function addKernelRoutes(node: NodeModel) {
  for (const dev of node.interfaces) {
    const derived = deriveLocalRoutes([{ ...dev }]);
    for (const a of dev.addrs) {
      const hasLocal = node.routes.some((r) => r.table === 255 && r.type === "local" && r.dst.prefix === 32 && r.dst.addr === a.ip);
      const mine = derived.filter((r) => r.src === a.ip);
      for (const r of mine) {
        if (r.table === 255 && hasLocal) continue;
        if (r.table === 254 && node.routes.some((o) => o.table === 254 && sameCidr(o.dst, r.dst) && o.dev === dev.name)) continue;
        if (r.table === 255 && node.routes.some((o) => o.table === 255 && o.type === r.type && sameCidr(o.dst, r.dst))) continue;
        node.routes.push(r);
      }
    }
  }
}
