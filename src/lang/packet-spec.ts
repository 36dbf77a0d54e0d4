/**
 * Parses a packet description (`tcp 192.168.1.88:49058 -> 10.43.156.98:9898 flags SYN len 60`)
 * into a Packet as Linux would send it.
 *
 * Why: `send`, `connect`, `stats` and `route get`-style commands all describe packets; defaults
 * follow a Linux client (a SYN with options is 60 bytes, DF set, TTL 64) so traces look real
 * without the user spelling out every header.
 */
import { octetTooBig, parseIp, type Ip } from "../engine/model/ipv4.js";
import { TCP_FLAG_BIT, type L4Proto, type Packet, type TcpFlag } from "../engine/model/packet.js";
import { CommandError, type Word } from "./words.js";

export interface PacketSpec {
  proto: L4Proto;
  src: Ip; // 0 = let routing choose
  sport: number;
  dst: Ip;
  dport: number;
  iif?: string;
  len?: number;
  flags?: number;
  mark?: number;
  ttl?: number;
  tos?: number;
  id?: number;
  icmpType?: number;
  icmpCode?: number;
  payload?: number;
  macSrc?: string;
  /** TCP numbers; left out, the sending endpoint numbers the segment as a Linux stack would (tcp-peers.ts) */
  seq?: number;
  /** `seq +N` / `seq -N`: N bytes after (before) the sequence number the sending end would use */
  seqOffset?: number;
  ack?: number;
  win?: number;
}

const PROTOS: L4Proto[] = ["tcp", "udp", "icmp", "sctp"];

function parseEndpoint(w: Word | undefined, proto: L4Proto, what: string): { ip: Ip; port: number } {
  if (!w) throw new CommandError(`missing ${what} address`);
  const m = /^([^:]+)(?::(\d+))?$/.exec(w.text);
  const ip = m ? parseIp(m[1]!) : undefined;
  const big = octetTooBig(w.text);
  if (big) throw new CommandError(`bad ${what} "${w.text}": ${big.octet} is more than 255 (each number of an address is 0 to 255)`, w.col + big.at);
  if (!m || ip === undefined) throw new CommandError(`bad ${what} "${w.text}": expected an IPv4 address${proto === "icmp" ? "" : " with :port"}`, w.col);
  if (proto !== "icmp" && m[2] === undefined) throw new CommandError(`${what} "${w.text}" needs a port (${w.text}:PORT)`, w.col);
  const port = m[2] === undefined ? 0 : Number(m[2]);
  if (port > 65535) throw new CommandError(`port ${port} is out of range`, w.col);
  return { ip, port };
}

function parseNumber(w: Word | undefined, key: string, max: number): number {
  if (!w) throw new CommandError(`"${key}" needs a value`);
  const v = /^0x[0-9a-f]+$/i.test(w.text) ? parseInt(w.text, 16) : /^\d+$/.test(w.text) ? Number(w.text) : NaN;
  if (!Number.isFinite(v) || v > max) throw new CommandError(`bad value "${w.text}" for ${key}`, w.col);
  return v;
}

export function parseFlags(w: Word): number {
  let f = 0;
  for (const name of w.text.toUpperCase().split(/[,+|]/)) {
    const bit = TCP_FLAG_BIT[name as TcpFlag];
    if (bit === undefined) throw new CommandError(`unknown TCP flag "${name}"`, w.col, "flags are SYN, ACK, FIN, RST, PSH, URG (comma separated)");
    f |= bit;
  }
  return f;
}

export const PACKET_OPTIONS = ["in", "len", "flags", "seq", "ack", "win", "payload", "mark", "ttl", "tos", "id", "type", "code", "mac"];

/** words: [proto, src, "->", dst, options...] */
export function parsePacketSpec(words: Word[]): PacketSpec {
  const [p, a, arrow, b, ...rest] = words;
  if (!p) throw new CommandError("missing protocol", undefined, "e.g. send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
  const proto = p.text.toLowerCase() as L4Proto;
  if (!PROTOS.includes(proto)) throw new CommandError(`unknown protocol "${p.text}"`, p.col, "use tcp, udp, icmp or sctp");
  const src = parseEndpoint(a, proto, "source");
  if (!arrow || (arrow.text !== "->" && arrow.text !== "to")) throw new CommandError(`expected "->" after the source`, arrow?.col ?? a?.col);
  const dst = parseEndpoint(b, proto, "destination");
  const spec: PacketSpec = { proto, src: src.ip, sport: src.port, dst: dst.ip, dport: dst.port };
  for (let i = 0; i < rest.length; i++) {
    const k = rest[i]!;
    const v = rest[i + 1];
    switch (k.text) {
      case "in":
        if (!v) throw new CommandError(`"in" needs an interface name`, k.col);
        spec.iif = v.text;
        break;
      case "len": spec.len = parseNumber(v, "len", 65535); break;
      case "flags":
        if (!v) throw new CommandError(`"flags" needs a value like SYN,ACK`, k.col);
        if (proto !== "tcp") throw new CommandError(`flags only apply to tcp`, k.col);
        spec.flags = parseFlags(v);
        break;
      case "mark": spec.mark = parseNumber(v, "mark", 0xffffffff); break;
      case "ttl": spec.ttl = parseNumber(v, "ttl", 255); break;
      case "tos": spec.tos = parseNumber(v, "tos", 255); break;
      case "id": spec.id = parseNumber(v, "id", 65535); break;
      case "type": spec.icmpType = parseNumber(v, "type", 255); break;
      case "code": spec.icmpCode = parseNumber(v, "code", 255); break;
      case "payload": spec.payload = parseNumber(v, "payload", 65000); break;
      case "seq":
      case "ack":
      case "win":
        if (proto !== "tcp") throw new CommandError(`${k.text} only applies to tcp`, k.col);
        if (k.text === "seq" && v && /^[+-]\d+$/.test(v.text)) {
          const n = Number(v.text);
          if (Math.abs(n) > 0x7fffffff) throw new CommandError(`bad value "${v.text}" for seq: an offset is at most ±2147483647`, v.col);
          spec.seqOffset = n;
        } else spec[k.text] = parseNumber(v, k.text, k.text === "win" ? 0xffff : 0xffffffff);
        break;
      case "mac":
        if (!v || !/^([0-9a-f]{1,2}:){5}[0-9a-f]{1,2}$/i.test(v.text)) throw new CommandError(`"mac" needs a MAC address`, v?.col ?? k.col);
        spec.macSrc = v.text.toLowerCase();
        break;
      default:
        throw new CommandError(`unknown packet option "${k.text}"`, k.col, `options: ${PACKET_OPTIONS.join(", ")}`);
    }
    i++;
  }
  return spec;
}

/** The window scale a Linux stack offers in its SYN (and SYN-ACK) with default buffers. */
export const LINUX_WSCALE = 7;

/** IP total length of a Linux packet: TCP with timestamps (SYN 60, others 52 + payload). */
export function defaultLength(spec: PacketSpec): number {
  const payload = spec.payload ?? 0;
  switch (spec.proto) {
    case "tcp":
      return (spec.flags ?? TCP_FLAG_BIT.SYN) & TCP_FLAG_BIT.SYN ? 60 : 52 + payload;
    case "udp":
      return 28 + (spec.payload ?? 5);
    case "sctp":
      return 32 + payload;
    case "icmp":
      return 28 + (spec.payload ?? 56);
  }
}

export function buildPacket(spec: PacketSpec, id: number, traceId: number): Packet {
  const flags = spec.proto === "tcp" ? (spec.flags ?? TCP_FLAG_BIT.SYN) : 0;
  return {
    proto: spec.proto,
    src: spec.src,
    dst: spec.dst,
    sport: spec.proto === "icmp" ? spec.sport || 1 : spec.sport,
    dport: spec.dport,
    tcpFlags: flags,
    tcpOptions: spec.proto === "tcp" && flags & TCP_FLAG_BIT.SYN ? [2, 4, 8, 1, 3] : spec.proto === "tcp" ? [1, 8] : [],
    seq: spec.seq ?? 0,
    ack: spec.ack ?? 0,
    win: spec.win ?? 0,
    icmpType: spec.proto === "icmp" ? (spec.icmpType ?? 8) : 0,
    icmpCode: spec.icmpCode ?? 0,
    len: spec.len ?? defaultLength(spec),
    tos: spec.tos ?? 0,
    ttl: spec.ttl ?? 64,
    id: spec.id ?? id,
    df: true,
    fragOffset: 0,
    mark: spec.mark ?? 0,
    iif: spec.iif,
    macSrc: spec.iif && spec.iif !== "lo" ? (spec.macSrc ?? "02:42:c0:a8:01:01") : undefined,
    // a packet the node builds keeps PACKET_HOST, whatever its destination (measured: the node's
    // own multicast and broadcast are "unicast" to -m pkttype in OUTPUT); arriving packets get
    // their type from the destination MAC (Session.packetFromSpec)
    pktType: "unicast",
    nfTrace: false,
    traceId,
    ...(spec.proto === "tcp" && flags & TCP_FLAG_BIT.SYN ? { wscale: LINUX_WSCALE } : {}),
    uid: spec.iif === undefined ? 0 : undefined,
    gid: spec.iif === undefined ? 0 : undefined,
  };
}
