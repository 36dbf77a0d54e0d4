/**
 * The conntrack table: lookup by either tuple, creation of unconfirmed entries, confirmation,
 * and the per-protocol state machine.
 *
 * Why: the state a rule sees (NEW / ESTABLISHED / ...) and whether NAT chains run at all are
 * decided here. Linux: nf_conntrack_in -> resolve_normal_ct; nf_conntrack_confirm at the last
 * hook; nf_conntrack_proto_tcp.c for TCP states and timeouts.
 */
import type { Packet } from "../model/packet.js";
import { tcpTransition, validTcpFlags } from "./tcp-states.js";
import { DEFAULT_TIMEOUTS, type CtTimeouts } from "./timeouts.js";
import { CT_STATUS, invertTuple, tupleKey, type CtDir, type CtEntry, type CtTuple, type CtView } from "./entry.js";

export interface ConntrackTable {
  byTuple: Map<string, { entry: CtEntry; dir: CtDir }>;
  entries: CtEntry[];
  nextId: number;
}

export function emptyConntrack(): ConntrackTable {
  return { byTuple: new Map(), entries: [], nextId: 1 };
}

export function cloneConntrack(t: ConntrackTable): ConntrackTable {
  const entries = t.entries.map((e) => ({ ...e, orig: { ...e.orig }, reply: { ...e.reply } }));
  const byTuple = new Map<string, { entry: CtEntry; dir: CtDir }>();
  for (const e of entries) {
    byTuple.set(tupleKey(e.orig), { entry: e, dir: "ORIGINAL" });
    byTuple.set(tupleKey(e.reply), { entry: e, dir: "REPLY" });
  }
  return { byTuple, entries, nextId: t.nextId };
}

export function packetTuple(p: Packet): CtTuple {
  if (p.proto === "icmp") return { proto: "icmp", src: p.src, dst: p.dst, sport: p.sport, dport: p.icmpType };
  return { proto: p.proto, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport };
}

/** Whether an entry's timeout has run out at `now` (the kernel then forgets it). */
export function entryExpired(e: CtEntry, now: number): boolean {
  return now - e.updated > e.timeout * 1000;
}
const expired = entryExpired;

export function removeEntry(t: ConntrackTable, e: CtEntry) {
  t.byTuple.delete(tupleKey(e.orig));
  t.byTuple.delete(tupleKey(e.reply));
  t.entries = t.entries.filter((x) => x !== e);
}

export interface CtLookup {
  view: CtView;
  /** A new, not yet confirmed entry (inserted into the table at confirm). */
  fresh: boolean;
}

/**
 * Linux: resolve_normal_ct. Returns the packet's view of conntrack; a new entry is created for
 * the first packet of a connection (a TCP RST or a lone non-SYN under tcp_loose=0 is INVALID).
 */
export function conntrackIn(t: ConntrackTable, p: Packet, now: number, zone = 0, tcpLoose = true): CtLookup {
  const invalid: CtLookup = { view: { dir: "ORIGINAL", state: "INVALID" }, fresh: false };
  // Linux: tcp_error — a segment with an impossible flag combination never reaches the table
  if (p.proto === "tcp" && !validTcpFlags(p.tcpFlags)) return invalid;
  const tuple = packetTuple(p);
  let hit = t.byTuple.get(tupleKey(tuple));
  if (hit && (expired(hit.entry, now) || hit.entry.zone !== zone)) {
    if (expired(hit.entry, now)) removeEntry(t, hit.entry);
    hit = undefined;
  }
  if (hit) {
    const e = hit.entry;
    if (p.proto === "tcp") {
      const tr = tcpTransition(e.protoState, hit.dir, p.tcpFlags);
      if (tr.kind === "invalid") return { view: { dir: hit.dir, state: "INVALID" }, fresh: false };
      if (tr.kind === "reopen") {
        removeEntry(t, e); // nf_ct_kill + NF_REPEAT: the SYN starts a new connection
        hit = undefined;
      }
    }
    if (hit) {
      let state: CtView["state"];
      if (hit.dir === "REPLY") state = "ESTABLISHED";
      else state = e.status & CT_STATUS.SEEN_REPLY ? "ESTABLISHED" : "NEW";
      return { view: { entry: e, dir: hit.dir, state }, fresh: false };
    }
  }
  if (p.proto === "tcp") {
    // Linux: tcp_new — a SYN, or with nf_conntrack_tcp_loose=1 an ACK, may start a connection;
    // a lone SYN-ACK, RST, FIN or flagless segment is INVALID (measured)
    const tr = tcpTransition("NONE", "ORIGINAL", p.tcpFlags);
    if (tr.kind !== "state" || (tr.next === "ESTABLISHED" && !tcpLoose)) return invalid;
  }
  if (p.proto === "icmp" && p.icmpType !== 8 && p.icmpType !== 13 && p.icmpType !== 15 && p.icmpType !== 17) {
    // errors are RELATED to the connection they quote; ktrace's packets quote none
    return { view: { dir: "ORIGINAL", state: "INVALID" }, fresh: false };
  }
  const e: CtEntry = {
    id: t.nextId++,
    orig: tuple,
    reply: invertTuple(tuple),
    status: 0,
    protoState: p.proto === "tcp" ? "NONE" : "",
    mark: 0,
    zone,
    timeout: 0,
    updated: now,
    created: now,
  };
  return { view: { entry: e, dir: "ORIGINAL", state: "NEW" }, fresh: true };
}

/** Per-packet protocol state update (TCP state machine, UDP stream, ASSURED), with the node's timeouts. */
export function updateProtoState(e: CtEntry, dir: CtDir, p: Packet, now: number, timeouts: CtTimeouts = DEFAULT_TIMEOUTS) {
  e.updated = now;
  if (dir === "REPLY" && !(e.status & CT_STATUS.SEEN_REPLY)) e.status |= CT_STATUS.SEEN_REPLY;
  if (p.proto === "tcp") {
    const s = e.protoState;
    const tr = tcpTransition(s, dir, p.tcpFlags);
    const next = tr.kind === "state" ? tr.next : s;
    // Linux: a connection that reaches ESTABLISHED from SYN_RECV is ASSURED
    if (s === "SYN_RECV" && next === "ESTABLISHED") e.status |= CT_STATUS.ASSURED;
    e.protoState = next;
    e.timeout = timeouts.tcp[next] ?? timeouts.tcp.SYN_SENT!;
  } else if (p.proto === "udp") {
    // Linux: udp_packet — a replied flow becomes a stream (ASSURED, 120 s) only for a packet
    // more than 2 s after the entry was created (measured)
    if (e.status & CT_STATUS.SEEN_REPLY && now - e.created > 2000) {
      e.status |= CT_STATUS.ASSURED;
      e.timeout = timeouts.udpStream;
    } else e.timeout = e.status & CT_STATUS.ASSURED ? timeouts.udpStream : timeouts.udp;
  } else if (p.proto === "icmp") {
    e.timeout = timeouts.icmp;
  } else e.timeout = timeouts.sctp;
}

/** Linux: __nf_conntrack_confirm — the entry becomes visible to later packets. */
export function confirm(t: ConntrackTable, e: CtEntry) {
  if (e.status & CT_STATUS.CONFIRMED) return;
  e.status |= CT_STATUS.CONFIRMED;
  t.entries.push(e);
  t.byTuple.set(tupleKey(e.orig), { entry: e, dir: "ORIGINAL" });
  t.byTuple.set(tupleKey(e.reply), { entry: e, dir: "REPLY" });
}

/** Is a tuple already used as some entry's reply (so NAT must pick another port)? */
export function tupleTaken(t: ConntrackTable, reply: CtTuple, self: CtEntry): boolean {
  const hit = t.byTuple.get(tupleKey(reply));
  return hit !== undefined && hit.entry !== self;
}
