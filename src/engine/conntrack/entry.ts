/**
 * A conntrack entry as the kernel keeps it: the original and reply tuples, status bits, the
 * protocol state, a mark, a zone and a timeout.
 *
 * Why: NAT is a property of the connection, not of the packet. The tuples say how later packets
 * and replies are rewritten; the status bits are what `--ctstatus`/`--ctstate DNAT` test.
 */
import type { Ip } from "../model/ipv4.js";
import type { L4Proto } from "../model/packet.js";
import { cloneTrack, type TcpTrack } from "./tcp-window.js";

export interface CtTuple {
  proto: L4Proto;
  src: Ip;
  dst: Ip;
  sport: number; // icmp: echo id
  dport: number; // icmp: type (orig 8 / reply 0)
}

/** Linux: enum ip_conntrack_status (include/uapi/linux/netfilter/nf_conntrack_common.h). */
export const CT_STATUS = {
  EXPECTED: 1 << 0,
  SEEN_REPLY: 1 << 1,
  ASSURED: 1 << 2,
  CONFIRMED: 1 << 3,
  SRC_NAT: 1 << 4,
  DST_NAT: 1 << 5,
  SEQ_ADJUST: 1 << 6,
  SRC_NAT_DONE: 1 << 7,
  DST_NAT_DONE: 1 << 8,
  DYING: 1 << 9,
} as const;
export type CtStatusName = keyof typeof CT_STATUS;

export const CT_STATES = ["NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED"] as const;
export type CtState = (typeof CT_STATES)[number];
export type CtDir = "ORIGINAL" | "REPLY";

export interface CtEntry {
  id: number;
  orig: CtTuple;
  reply: CtTuple;
  status: number;
  protoState: string; // tcp: SYN_SENT, ESTABLISHED...; others ""
  mark: number;
  zone: number;
  timeout: number; // seconds left at `updated`
  updated: number; // simulated ms
  created: number;
  /** TCP: both directions' sequence windows (conntrack's window tracking) */
  tcp?: TcpTrack;
}

/** A copy that later packets cannot change (events keep the entry as it was). */
export function copyEntry(e: CtEntry): CtEntry {
  const c = { ...e, orig: { ...e.orig }, reply: { ...e.reply } };
  if (e.tcp) c.tcp = cloneTrack(e.tcp);
  return c;
}

/** What a packet sees of conntrack: its entry (if tracked), direction and state. */
export interface CtView {
  entry?: CtEntry;
  dir: CtDir;
  state: CtState;
  /** why the packet is INVALID, or why conntrack let it pass without touching its entry */
  note?: string;
  /** the entry was forgotten by this packet (a reset on a connection never answered) */
  killed?: boolean;
}

export function invertTuple(t: CtTuple): CtTuple {
  const icmpReply = t.proto === "icmp" ? (t.dport === 8 ? 0 : t.dport === 0 ? 8 : t.dport) : t.sport;
  return t.proto === "icmp"
    ? { proto: t.proto, src: t.dst, dst: t.src, sport: t.sport, dport: icmpReply }
    : { proto: t.proto, src: t.dst, dst: t.src, sport: t.dport, dport: t.sport };
}

export function tupleKey(t: CtTuple): string {
  return `${t.proto} ${t.src} ${t.dst} ${t.sport} ${t.dport}`;
}

export function hasStatus(e: CtEntry, bit: number): boolean {
  return (e.status & bit) !== 0;
}

export function statusNames(status: number): CtStatusName[] {
  return (Object.keys(CT_STATUS) as CtStatusName[]).filter((k) => (status & CT_STATUS[k]) !== 0);
}

/** Whole seconds left before the entry expires, rounded down as conntrack -L and --ctexpire count them (measured). */
export function secondsLeft(e: CtEntry, now: number): number {
  return Math.max(0, Math.floor(e.timeout - (now - e.updated) / 1000));
}
