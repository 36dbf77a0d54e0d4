/**
 * ipsets: `ipset save` text in, membership tests out.
 *
 * Why: `-m set` rules are only as true as the sets behind them; Calico's pools and kube-proxy's
 * ipvs sets are loaded from `ipset save` of a real node (or a snapshot).
 * Linux: ip_set_hash_{ip,net,ipport,netport}.c, ip_set_list_set.c, ip_set_bitmap_port.c.
 */
import { formatCidr, inCidr, parseCidr, formatIp } from "./ipv4.js";
import type { Ipset, IpsetMember, IpsetType, NodeModel } from "./node.js";
import type { Packet } from "./packet.js";
import { PROTO_NUM } from "./packet.js";
import { ParseError } from "../parse/errors.js";
import { tokenizeLine } from "../parse/tokenize.js";

const TYPES: IpsetType[] = ["hash:ip", "hash:net", "hash:ip,port", "hash:net,port", "list:set", "bitmap:port", "hash:net,iface", "hash:ip,port,ip", "hash:ip,port,net", "hash:ip,mac"];

function parseMember(type: IpsetType, text: string, file: string, line: number, col: number): IpsetMember {
  const bad = () => new ParseError(file, line, col, text, `bad ${type} element "${text}"`);
  if (type === "list:set") return { set: text, text };
  if (type === "bitmap:port") {
    const [a, b] = text.split("-");
    const port = Number(a);
    const portTo = b === undefined ? port : Number(b);
    if (!Number.isInteger(port) || !Number.isInteger(portTo)) throw bad();
    return { port, portTo, text };
  }
  const parts = text.split(",");
  const net = parseCidr(parts[0] ?? "");
  if (!net) throw bad();
  const m: IpsetMember = { net, text };
  if (type.includes(",port")) {
    const pp = parts[1] ?? "";
    const [proto, port] = pp.includes(":") ? pp.split(":") : ["tcp", pp];
    const num = PROTO_NUM[proto ?? ""];
    const p = Number(port);
    if (num === undefined || !Number.isInteger(p)) throw bad();
    m.proto = num;
    m.port = p;
    m.portTo = p;
  }
  return m;
}

/** Parse `ipset save` output (create/add lines). */
export function parseIpsetSave(text: string, file = "ipsets"): Map<string, Ipset> {
  const sets = new Map<string, Ipset>();
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const toks = tokenizeLine(raw, file, i + 1);
    const [cmd, name, third, ...rest] = toks;
    if (!cmd || !name || !third) throw new ParseError(file, i + 1, 1, line, `incomplete ipset line`);
    if (cmd.text === "create" || cmd.text === "-N") {
      if (!TYPES.includes(third.text as IpsetType)) throw new ParseError(file, i + 1, third.column, third.text, `unsupported ipset type "${third.text}"`);
      sets.set(name.text, { name: name.text, type: third.text as IpsetType, header: [third, ...rest].map((t) => t.text).join(" "), members: [] });
    } else if (cmd.text === "add" || cmd.text === "-A") {
      const s = sets.get(name.text);
      if (!s) throw new ParseError(file, i + 1, name.column, name.text, `ipset "${name.text}" does not exist`);
      const m = parseMember(s.type, third.text, file, i + 1, third.column);
      if (rest.some((t) => t.text === "nomatch")) m.nomatch = true;
      s.members.push(m);
    } else {
      throw new ParseError(file, i + 1, cmd.column, cmd.text, `unknown ipset command "${cmd.text}"`);
    }
  });
  return sets;
}

export function saveIpsets(sets: Map<string, Ipset>): string {
  const out: string[] = [];
  for (const s of sets.values()) {
    out.push(`create ${s.name} ${s.header}`);
    for (const m of s.members) out.push(`add ${s.name} ${m.text}${m.nomatch ? " nomatch" : ""}`);
  }
  return out.length ? out.join("\n") + "\n" : "";
}

export function ipsetTest(node: NodeModel, set: Ipset, pkt: Packet, dirs: ("src" | "dst")[], depth = 0): { hit: boolean; member?: string } {
  const ipOf = (d: "src" | "dst" | undefined) => (d === "dst" ? pkt.dst : pkt.src);
  const portOf = (d: "src" | "dst" | undefined) => (d === "dst" ? pkt.dport : pkt.sport);
  const proto = PROTO_NUM[pkt.proto];
  if (set.type === "list:set") {
    if (depth > 6) return { hit: false };
    for (const m of set.members) {
      const inner = node.ipsets.get(m.set ?? "");
      if (!inner) continue;
      const r = ipsetTest(node, inner, pkt, dirs, depth + 1);
      if (r.hit) return { hit: true, member: `${m.set}: ${r.member}` };
    }
    return { hit: false };
  }
  if (set.type === "bitmap:port") {
    const p = portOf(dirs[0]);
    const m = set.members.find((x) => p >= (x.port ?? 0) && p <= (x.portTo ?? 0));
    return m ? { hit: true, member: m.text } : { hit: false };
  }
  const ip = ipOf(dirs[0]);
  let best: IpsetMember | undefined;
  for (const m of set.members) {
    if (!m.net || !inCidr(ip, m.net)) continue;
    if (m.port !== undefined && (m.proto !== proto || portOf(dirs[1]) !== m.port)) continue;
    if (!best || m.net.prefix > best.net!.prefix) best = m;
  }
  if (!best || best.nomatch) return { hit: false };
  return { hit: true, member: best.port !== undefined ? best.text : best.net!.prefix === 32 ? formatIp(best.net!.addr) : formatCidr(best.net!) };
}
