/**
 * The packet as netfilter sees it: IPv4 header fields, L4 ports/flags, and the skb metadata
 * (mark, interfaces, trace flag) that rules read and write.
 *
 * Why: one plain, copyable record lets the walk snapshot the packet at every step (for `back`,
 * `show state` and the PACKET lines of the trace) without aliasing bugs.
 */
import type { Ip } from "./ipv4.js";

export type L4Proto = "tcp" | "udp" | "icmp" | "sctp";

export const PROTO_NUM: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, sctp: 132, all: 0 };

export const TCP_FLAGS = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"] as const;
export type TcpFlag = (typeof TCP_FLAGS)[number];
export const TCP_FLAG_BIT: Record<TcpFlag, number> = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ECE: 64, CWR: 128 };

/** The names of the flags set in `flags`, lowest bit first (FIN, SYN, RST, …). */
export function packetFlagNames(flags: number): TcpFlag[] {
  return (Object.keys(TCP_FLAG_BIT) as TcpFlag[]).filter((f) => (flags & TCP_FLAG_BIT[f]) !== 0);
}

export interface Packet {
  proto: L4Proto;
  src: Ip;
  dst: Ip;
  sport: number; // for ICMP echo: the identifier
  dport: number; // for ICMP echo: the sequence number
  tcpFlags: number; // bit set of TCP_FLAG_BIT
  readonly tcpOptions: readonly number[]; // option kinds present, never changed in place (a Linux SYN: 2 MSS, 4 SACK-perm, 8 TS, 1 NOP, 3 WS)
  /** TCP sequence and acknowledgement numbers (unsigned 32-bit) and the raw 16-bit window; 0 for other protocols. */
  seq: number;
  ack: number;
  win: number;
  /** the window scale option's shift, when tcpOptions carries one (kind 3) */
  wscale?: number;
  icmpType: number;
  icmpCode: number;
  len: number; // IP total length
  tos: number;
  ttl: number;
  id: number;
  df: boolean;
  fragOffset: number; // non-zero: a non-first fragment (-f)
  /** skb metadata */
  mark: number;
  iif?: string;
  oif?: string;
  /** MAC header of a packet that arrived on an interface. */
  macSrc?: string;
  macDst?: string;
  pktType: "unicast" | "broadcast" | "multicast";
  nfTrace: boolean;
  /** the id xtables-monitor prints for this packet's trace */
  traceId: number;
  /** socket owner for locally generated packets (a process's socket) */
  uid?: number;
  gid?: number;
  /**
   * Sent from a socket of the kernel's own, which no process holds (no uid): the echo reply to
   * a ping, the stack's reset for a closed port, every icmp_send error. -m owner sees a socket
   * there (--socket-exists matches) but no owner (measured, test/kernel/scenarios/51-…).
   */
  kernelSocket?: true;
}

export function clonePacket(p: Packet): Packet {
  // every field is a value or never changed in place (tcpOptions), so a shallow copy is a copy;
  // spelled out so every copy has one shape (the walk copies at every step)
  const c: Packet = {
    proto: p.proto, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, tcpFlags: p.tcpFlags, tcpOptions: p.tcpOptions, seq: p.seq, ack: p.ack, win: p.win,
    icmpType: p.icmpType, icmpCode: p.icmpCode, len: p.len, tos: p.tos, ttl: p.ttl, id: p.id, df: p.df, fragOffset: p.fragOffset,
    mark: p.mark, pktType: p.pktType, nfTrace: p.nfTrace, traceId: p.traceId,
  };
  if (p.iif !== undefined) c.iif = p.iif;
  if (p.oif !== undefined) c.oif = p.oif;
  if (p.macSrc !== undefined) c.macSrc = p.macSrc;
  if (p.macDst !== undefined) c.macDst = p.macDst;
  if (p.wscale !== undefined) c.wscale = p.wscale;
  if (p.uid !== undefined) c.uid = p.uid;
  if (p.gid !== undefined) c.gid = p.gid;
  if (p.kernelSocket) c.kernelSocket = true;
  return c;
}

/** Bytes each TCP option kind takes (SACK blocks, kind 5, are never carried by ktrace's packets). */
const TCP_OPTION_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 4, 3: 3, 4: 2, 8: 10 };

/** The TCP header's length (doff × 4): 20 bytes and the options, padded to 4 bytes. */
export function tcpHeaderLength(options: readonly number[]): number {
  let n = 0;
  for (const k of options) n += TCP_OPTION_BYTES[k] ?? 2;
  return 20 + Math.ceil(n / 4) * 4;
}

/** Bytes of data a TCP segment carries: the IP total length less the IP and TCP headers. */
export function tcpDataLength(p: Packet): number {
  return Math.max(0, p.len - 20 - tcpHeaderLength(p.tcpOptions));
}
