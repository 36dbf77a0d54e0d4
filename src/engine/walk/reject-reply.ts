/**
 * The packet REJECT sends back: a TCP reset or an ICMP error, as the kernel builds it.
 *
 * Why: the answer is a real packet — it walks OUTPUT and POSTROUTING (and loops through lo when
 * the rejected packet was our own), and xtables-monitor shows it before the REJECT rule's DROP
 * line when a TRACE rule catches it. It does not inherit the trace flag, and conntrack sees it
 * as RELATED to the rejected connection (INVALID when that one was untracked) — measured.
 * Linux: nf_send_reset (ipv4/netfilter/nf_reject_ipv4.c), icmp_send.
 */
import type { Packet } from "../model/packet.js";
import { TCP_FLAG_BIT, tcpDataLength } from "../model/packet.js";
import type { CtView } from "../conntrack/entry.js";
import type { NodeModel } from "../model/node.js";
import { addrType } from "../route/addr-type.js";
import { routeLookup } from "../route/lookup.js";

const ICMP_CODES: Record<string, number> = {
  "icmp-net-unreachable": 0,
  "icmp-host-unreachable": 1,
  "icmp-proto-unreachable": 2,
  "icmp-port-unreachable": 3,
  "icmp-net-prohibited": 9,
  "icmp-host-prohibited": 10,
  "icmp-admin-prohibited": 13,
};

export function rejectReply(node: NodeModel, orig: Packet, kind: string, ipId: number, traceId: number): Packet | undefined {
  const base = {
    tcpOptions: [],
    tos: 0,
    ttl: 64,
    fragOffset: 0,
    mark: 0,
    pktType: "unicast" as const,
    nfTrace: false,
    traceId,
    icmpCode: 0,
  };
  if (kind === "tcp-reset") {
    if (orig.proto !== "tcp" || orig.tcpFlags & TCP_FLAG_BIT.RST) return undefined;
    // Linux: nf_reject_ip_tcphdr_put (and tcp_v4_send_reset alike) — a segment that carried an ACK
    // is answered at the sequence it acknowledged; one without gets sequence 0 and an ACK of all it
    // occupied; the window is 0
    const hadAck = (orig.tcpFlags & TCP_FLAG_BIT.ACK) !== 0;
    const flags = hadAck ? TCP_FLAG_BIT.RST : TCP_FLAG_BIT.RST | TCP_FLAG_BIT.ACK;
    const occupied = tcpDataLength(orig) + (orig.tcpFlags & TCP_FLAG_BIT.SYN ? 1 : 0) + (orig.tcpFlags & TCP_FLAG_BIT.FIN ? 1 : 0);
    const seq = hadAck ? orig.ack : 0;
    const ack = hadAck ? 0 : (orig.seq + occupied) >>> 0;
    return { ...base, proto: "tcp", src: orig.dst, dst: orig.src, sport: orig.dport, dport: orig.sport, tcpFlags: flags, seq, ack, win: 0, icmpType: 0, len: 40, id: 0, df: true };
  }
  const code = ICMP_CODES[kind];
  if (code === undefined) return undefined;
  return icmpError(node, orig, 3, code, ipId, traceId);
}

/**
 * An ICMP error about `orig`, as icmp_send builds it: for REJECT, and for the stack's own errors
 * (time exceeded when forwarding with TTL 1).
 */
export function icmpError(node: NodeModel, orig: Packet, type: number, code: number, ipId: number, traceId: number): Packet | undefined {
  if (orig.proto === "icmp" && orig.icmpType !== 8 && orig.icmpType !== 13) return undefined; // never an error about an error
  // icmp_send answers from the packet's destination when that is one of ours, else routing picks
  // (icmp_route_lookup: the output route's preferred source, known before the OUTPUT hook)
  const src = addrType(node, orig.dst) === "LOCAL" ? orig.dst : (routeLookup(node, { dst: orig.src, mark: 0 }).src ?? 0);
  // Linux: __icmp_send sends with IPTOS_PREC_INTERNETCONTROL (TOS 0xc0, measured), quoting the
  // original up to 576 bytes in all
  return {
    tcpOptions: [],
    ttl: 64,
    fragOffset: 0,
    mark: 0,
    pktType: "unicast",
    nfTrace: false,
    traceId,
    proto: "icmp",
    src,
    dst: orig.src,
    sport: 0,
    dport: 0,
    tcpFlags: 0,
    seq: 0,
    ack: 0,
    win: 0,
    icmpType: type,
    icmpCode: code,
    len: 28 + Math.min(orig.len, 548),
    id: ipId,
    df: false,
    tos: 0xc0,
    // icmp_send sends from the kernel's ICMP socket (REJECT's nf_send_reset builds its reset
    // with no socket at all)
    kernelSocket: true,
  };
}

/**
 * Why the node sends no error or reset about `orig`, when it does not: Linux __icmp_send and
 * nf_send_reset answer only a packet addressed to this host alone — not one that came as a
 * link-layer broadcast or multicast (pkt_type != PACKET_HOST), nor one whose route is a broadcast
 * or multicast one (RTCF_BROADCAST | RTCF_MULTICAST). Measured: REJECT of a UDP datagram to the
 * subnet's broadcast address drops it and sends nothing (test/kernel/scenarios/37-reject-broadcast.json).
 */
export function noAnswerTo(node: NodeModel, orig: Packet): string | undefined {
  if (orig.pktType !== "unicast") return `it came as a link-layer ${orig.pktType}, and the kernel answers only packets addressed to this host alone`;
  const t = addrType(node, orig.dst);
  if (t === "BROADCAST" || t === "MULTICAST") return `its destination is a ${t.toLowerCase()} address, and the kernel answers only packets addressed to this host alone`;
  return undefined;
}

/** How conntrack sees the answer: RELATED to the rejected connection, in the other direction. */
export function attachFor(ct: CtView | undefined): CtView | undefined {
  if (!ct) return undefined;
  if (!ct.entry) return { dir: "ORIGINAL", state: "INVALID" };
  return { entry: ct.entry, dir: ct.dir === "ORIGINAL" ? "REPLY" : "ORIGINAL", state: "RELATED" };
}
