/**
 * Short human descriptions of packets, conntrack entries and routes, shared by the text formats.
 *
 * Why: explain mode, `show state`, the REPL status line and lessons describe the same things and
 * must say them the same way.
 */
import { TCP_FLAG_BIT, packetFlagNames, tcpDataLength, type Packet } from "../engine/model/packet.js";
import { formatIp } from "../engine/model/ipv4.js";
import type { CtView } from "../engine/conntrack/entry.js";
import { statusNames } from "../engine/conntrack/entry.js";
import type { Fate, TraceEvent } from "../engine/trace/events.js";

export function endpoint(ip: number, port: number, proto: string): string {
  return proto === "icmp" ? formatIp(ip) : `${formatIp(ip)}:${port}`;
}

export function describePacket(p: Packet): string {
  const flags = p.proto === "tcp" ? ` ${packetFlagNames(p.tcpFlags).join(",") || "(no flags)"}` : p.proto === "icmp" ? ` type ${p.icmpType} code ${p.icmpCode} id ${p.sport}` : "";
  return `${p.proto} ${endpoint(p.src, p.sport, p.proto)} -> ${endpoint(p.dst, p.dport, p.proto)}${flags} len ${p.len}${p.mark ? ` mark 0x${p.mark.toString(16)}` : ""}`;
}

/** The article's "State of the Packet" block. */
export function stateOfPacket(p: Packet, outIf: string | undefined): string[] {
  const lines = [`Source IP address: ${formatIp(p.src)}`];
  if (p.proto !== "icmp") lines.push(`Source Port: ${p.sport}`);
  lines.push(`Destination IP address: ${formatIp(p.dst)}`);
  if (p.proto !== "icmp") lines.push(`Destination Port: ${p.dport}`);
  if (outIf) lines.push(`Output interface: ${outIf}`);
  lines.push(`Mark: ${p.mark ? `0x${p.mark.toString(16)}` : "none"}`);
  return lines;
}

export function fateText(f: Fate): string {
  switch (f.kind) {
    case "sent":
      return `sent out ${f.iface}${f.nexthop ? ` via ${f.nexthop}` : ""}`;
    case "delivered":
      return `delivered to a local socket (in on ${f.iface})`;
    case "dropped":
      return f.rule ? `dropped by ${f.table} ${f.chain} rule -A ${f.rule.chain} ${f.rule.text}` : `dropped by the ${f.chain} policy of ${f.table}`;
    case "rejected":
      return `rejected (${f.with}) by ${f.table} ${f.chain}`;
    case "unroutable":
      return `not routable: ${f.reason}`;
    case "not-forwarded":
      return `not forwarded: ${f.reason}`;
  }
}

export function describeCt(v: CtView | undefined): string {
  if (!v) return "not tracked";
  const why = v.note ? ` — ${v.note}` : "";
  if (!v.entry) return `${v.state} (no entry)${why}`;
  const e = v.entry;
  return `${v.state} (${v.dir.toLowerCase()} direction), entry #${e.id} ${e.protoState ? e.protoState + " " : ""}[${statusNames(e.status).join(",") || "no status bits"}]${why}`;
}

/** A TCP segment's numbers, as tcpdump would say them: "seq 1001:1101 ack 5001 win 502". */
export function describeSegment(p: Packet): string | undefined {
  if (p.proto !== "tcp") return undefined;
  const data = tcpDataLength(p);
  const flags = p.tcpFlags;
  const seq = data ? `seq ${p.seq}:${(p.seq + data) >>> 0}` : `seq ${p.seq}`;
  return `${seq}${flags & TCP_FLAG_BIT.ACK ? ` ack ${p.ack}` : ""} win ${p.win}${p.wscale !== undefined ? ` wscale ${p.wscale}` : ""}${data ? ` (${data} bytes of data)` : ""}`;
}

/** A NAT event in words: a reply's destination rewrite undoes the connection's SNAT, its source rewrite the DNAT. */
export function natEventText(e: Extract<TraceEvent, { kind: "nat" }>): string {
  const what = e.dir === "REPLY" ? (e.manip === "DST" ? "un-SNAT (reply, from conntrack)" : "un-DNAT (reply, from conntrack)") : `${e.manip === "DST" ? "DNAT" : "SNAT"} ${e.how === "rule" ? "(new binding)" : "(from conntrack)"}`;
  return `${e.hook} ${what}: ${describePacket(e.from)} ⇒ ${describePacket(e.to)}`;
}
