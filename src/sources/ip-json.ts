/**
 * Reads `ip -j addr`, `ip -j route show table all` and `ip -j rule` into the node model.
 *
 * Why: live mode, snapshots and the canned scenarios all describe a node in the words iproute2
 * uses, so a snapshot taken on a real node loads anywhere and canned nodes read like real ones.
 */
import { parseCidr, parseIp, prefixToMask, type Cidr } from "../engine/model/ipv4.js";
import type { Interface, NodeModel, PolicyRule, Route, RouteType } from "../engine/model/node.js";
import { TABLE_IDS } from "../engine/model/node.js";

type J = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined);

export class NodeDataError extends Error {}

function asArray(text: string, what: string): J[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    // JSON.parse quotes the text it choked on, line breaks included: keep the error on one line
    throw new NodeDataError(`${what}: not valid JSON (${(e as Error).message.replace(/\s*\n\s*/g, " ")})`);
  }
  if (!Array.isArray(v)) throw new NodeDataError(`${what}: expected a JSON array`);
  return v as J[];
}

export function parseIpAddrJson(text: string): Interface[] {
  return asArray(text, "ip -j addr").map((l) => {
    const flags = (l.flags as string[] | undefined) ?? [];
    const addrs = ((l.addr_info as J[] | undefined) ?? [])
      .filter((a) => a.family === "inet")
      .map((a) => ({
        ip: parseIp(str(a.local) ?? "") ?? 0,
        prefix: num(a.prefixlen) ?? 32,
        scope: (str(a.scope) === "host" ? "host" : str(a.scope) === "link" ? "link" : "global") as "host" | "link" | "global",
        broadcast: str(a.broadcast) ? parseIp(str(a.broadcast)!) : undefined,
      }));
    return {
      name: str(l.ifname) ?? "?",
      index: num(l.ifindex) ?? 0,
      mac: str(l.address) ?? "",
      mtu: num(l.mtu) ?? 1500,
      up: flags.includes("UP"),
      addrs,
      kind: str(l.link_type),
    };
  });
}

function tableId(v: unknown): number {
  const s = str(v) ?? (typeof v === "number" ? String(v) : "main");
  return TABLE_IDS[s] ?? Number(s);
}

function cidrOf(v: unknown): Cidr | undefined {
  const s = str(v);
  if (!s || s === "default" || s === "all") return parseCidr("0.0.0.0/0");
  return parseCidr(s);
}

export function parseIpRouteJson(text: string): Route[] {
  const out: Route[] = [];
  for (const r of asArray(text, "ip -j route")) {
    const dst = cidrOf(r.dst);
    if (!dst || (str(r.dst) ?? "").includes(":")) continue; // IPv6
    const flags = (r.flags as string[] | undefined) ?? [];
    const type = (str(r.type) ?? "unicast") as RouteType;
    const via = str(r.gateway) ? parseIp(str(r.gateway)!) : undefined;
    const scopeText = str(r.scope);
    out.push({
      table: tableId(r.table),
      type,
      dst,
      via,
      dev: str(r.dev),
      src: str(r.prefsrc) ? parseIp(str(r.prefsrc)!) : undefined,
      scope: scopeText === "host" ? "host" : scopeText === "link" ? "link" : "universe",
      metric: num(r.metric) ?? 0,
      onlink: flags.includes("onlink"),
      proto: str(r.protocol),
    });
  }
  return out;
}

export function parseIpRuleJson(text: string): PolicyRule[] {
  return asArray(text, "ip -j rule").map((r) => {
    const srcLen = num(r.srclen);
    const dstLen = num(r.dstlen);
    const from = str(r.src) && r.src !== "all" ? parseCidr(`${r.src}${srcLen !== undefined ? "/" + srcLen : ""}`) : undefined;
    const to = str(r.dst) && r.dst !== "all" ? parseCidr(`${r.dst}${dstLen !== undefined ? "/" + dstLen : ""}`) : undefined;
    const action = (str(r.action) ?? (r.table !== undefined ? "lookup" : "nop")) as PolicyRule["action"];
    return {
      priority: num(r.priority) ?? 0,
      not: r.not === true || r.not === "",
      from,
      to,
      fwmark: str(r.fwmark) ? Number(str(r.fwmark)) : undefined,
      fwmask: str(r.fwmask) ? Number(str(r.fwmask)) : undefined,
      iif: str(r.iif),
      oif: str(r.oif),
      table: r.table !== undefined ? tableId(r.table) : undefined,
      action: action === ("to_tbl" as string) ? "lookup" : action,
      gotoPriority: num(r.goto),
    };
  });
}

/** Local-table routes the kernel derives from addresses, for nodes described without them. */
export function deriveLocalRoutes(ifaces: Interface[]): Route[] {
  const out: Route[] = [];
  for (const i of ifaces)
    for (const a of i.addrs) {
      const host = parseCidr(`${ipText(a.ip)}/32`)!;
      out.push({ table: 255, type: "local", dst: a.prefix === 8 && i.name === "lo" ? parseCidr(`${ipText(a.ip)}/8`)! : host, dev: i.name, src: a.ip, scope: "host", metric: 0, onlink: false, proto: "kernel" });
      if (i.name === "lo" && a.prefix === 8) out.push({ table: 255, type: "local", dst: host, dev: i.name, src: a.ip, scope: "host", metric: 0, onlink: false, proto: "kernel" });
      if (a.prefix < 31) {
        const mask = prefixToMask(a.prefix);
        const bcast = ((a.ip & mask) | (~mask >>> 0)) >>> 0;
        out.push({ table: 255, type: "broadcast", dst: parseCidr(`${ipText(bcast)}/32`)!, dev: i.name, src: a.ip, scope: "link", metric: 0, onlink: false, proto: "kernel" });
        if (i.name !== "lo")
          out.push({ table: 254, type: "unicast", dst: parseCidr(`${ipText(a.ip & mask)}/${a.prefix}`)!, dev: i.name, src: a.ip, scope: "link", metric: 0, onlink: false, proto: "kernel" });
      }
    }
  return out;
}

function ipText(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

export function buildNode(parts: { hostname?: string; addrJson: string; routeJson: string; ruleJson?: string; sysctl?: Record<string, string> }): NodeModel {
  const interfaces = parseIpAddrJson(parts.addrJson);
  const routes = parseIpRouteJson(parts.routeJson);
  if (!routes.some((r) => r.table === 255)) routes.push(...deriveLocalRoutes(interfaces).filter((r) => r.table === 255));
  return {
    hostname: parts.hostname ?? "node",
    interfaces,
    routes,
    rules: parts.ruleJson ? parseIpRuleJson(parts.ruleJson) : [],
    ipsets: new Map(),
    sysctl: { ...(parts.sysctl ?? { "net.ipv4.ip_forward": "1" }) }, // a copy: a session may change its own
  };
}
