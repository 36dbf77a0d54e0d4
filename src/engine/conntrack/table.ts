/**
 * The conntrack table: lookup by either tuple, creation of unconfirmed entries, confirmation,
 * and the per-protocol state machine.
 *
 * Why: the state a rule sees (NEW / ESTABLISHED / ...) and whether NAT chains run at all are
 * decided here. Linux: nf_conntrack_in -> resolve_normal_ct; nf_conntrack_confirm at the last
 * hook; nf_conntrack_proto_tcp.c for TCP states and timeouts.
 */
import type { Packet } from "../model/packet.js";
import { validTcpFlags } from "./tcp-states.js";
import { TIMEOUT_SYSCTLS, defaultTimeoutSysctls, timeoutsFromSysctl, type CtTimeouts } from "./timeouts.js";
import { CT_STATUS, copyEntry, invertTuple, tupleKey, type CtDir, type CtEntry, type CtTuple, type CtView } from "./entry.js";
import { segmentOf, tcpNew, tcpPacket, type TcpConfig } from "./tcp-packet.js";
import { emptyTrack } from "./tcp-window.js";

export interface ConntrackTable {
  byTuple: Map<string, { entry: CtEntry; dir: CtDir }>;
  entries: CtEntry[];
  nextId: number;
}

export function emptyConntrack(): ConntrackTable {
  return { byTuple: new Map(), entries: [], nextId: 1 };
}

export function cloneConntrack(t: ConntrackTable): ConntrackTable {
  const entries = t.entries.map(copyEntry);
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

/** What the node's sysctls say about tracking: timeouts and the TCP knobs. */
export interface CtConfig {
  timeouts: CtTimeouts;
  tcp: TcpConfig;
}

/** Every sysctl conntrack reads: live mode, snapshots and scenario files carry exactly these. */
export const CONNTRACK_SYSCTLS: string[] = [
  ...TIMEOUT_SYSCTLS,
  ...["tcp_be_liberal", "tcp_loose", "tcp_max_retrans", "tcp_ignore_invalid_rst"].map((k) => `net.netfilter.nf_conntrack_${k}`),
];

/** What a node has when nothing set them (the kernel's defaults). */
export function conntrackSysctlDefaults(): Record<string, string> {
  const p = "net.netfilter.nf_conntrack_";
  return { ...defaultTimeoutSysctls(), [`${p}tcp_be_liberal`]: "0", [`${p}tcp_loose`]: "1", [`${p}tcp_max_retrans`]: "3", [`${p}tcp_ignore_invalid_rst`]: "0" };
}

/** Read once per sysctl map: a node's map is replaced, never changed, once packets walk (`sysctl -w` makes a new one). */
const configs = new WeakMap<Record<string, string>, CtConfig>();

export function ctConfigOf(sysctl: Record<string, string>): CtConfig {
  let c = configs.get(sysctl);
  if (!c) configs.set(sysctl, (c = ctConfigFromSysctl(sysctl)));
  return c;
}

export function ctConfigFromSysctl(sysctl: Record<string, string>): CtConfig {
  const timeouts = timeoutsFromSysctl(sysctl);
  const flag = (key: string, dflt: string) => (sysctl[`net.netfilter.nf_conntrack_${key}`] ?? dflt).trim() !== "0";
  const retrans = Number(sysctl["net.netfilter.nf_conntrack_tcp_max_retrans"] ?? "3");
  return {
    timeouts,
    tcp: { beLiberal: flag("tcp_be_liberal", "0"), loose: flag("tcp_loose", "1"), ignoreInvalidRst: flag("tcp_ignore_invalid_rst", "0"), maxRetrans: Number.isFinite(retrans) ? retrans : 3, timeouts },
  };
}

/** The state a packet sees (resolve_normal_ct), before the packet itself moves the entry. */
function stateOf(e: CtEntry, dir: CtDir): CtView["state"] {
  return dir === "REPLY" || e.status & CT_STATUS.SEEN_REPLY ? "ESTABLISHED" : "NEW";
}

/**
 * Linux: nf_conntrack_in — finds the packet's entry (or makes a new, unconfirmed one) and lets
 * the protocol move it. A packet the protocol refuses is INVALID and continues without an entry.
 */
export function conntrackIn(t: ConntrackTable, p: Packet, now: number, zone = 0, cfg: CtConfig = ctConfigFromSysctl({})): CtLookup {
  const tuple = packetTuple(p);
  let hit = t.byTuple.get(tupleKey(tuple));
  if (hit && (expired(hit.entry, now) || hit.entry.zone !== zone)) {
    if (expired(hit.entry, now)) removeEntry(t, hit.entry);
    hit = undefined;
  }
  let reopened: string | undefined;
  if (hit) {
    const { entry: e, dir } = hit;
    const state = stateOf(e, dir);
    if (p.proto !== "tcp") {
      updateOtherProto(e, dir, p, now, cfg.timeouts);
      return { view: { entry: e, dir, state }, fresh: false };
    }
    const v = tcpPacket(e, (e.tcp ??= emptyTrack()), dir, segmentOf(p), cfg.tcp, now);
    if (v.kind === "invalid") return { view: { dir, state: "INVALID", note: v.reason }, fresh: false };
    if (v.kind === "repeat") {
      removeEntry(t, e); // nf_ct_kill + NF_REPEAT: the SYN is looked up again
      reopened = v.reason;
    } else {
      if (dir === "REPLY") e.status |= CT_STATUS.SEEN_REPLY;
      if (v.kind === "ignore") return { view: { entry: e, dir, state, note: v.reason }, fresh: false };
      if (v.killed) {
        removeEntry(t, e);
        return { view: { entry: e, dir, state, killed: true, note: "a reset before any answer: conntrack forgets the connection at once" }, fresh: false };
      }
      return { view: { entry: e, dir, state }, fresh: false };
    }
  }
  if (p.proto === "icmp" && p.icmpType !== 8 && p.icmpType !== 13 && p.icmpType !== 15 && p.icmpType !== 17) {
    // errors are RELATED to the connection they quote; ktrace's packets quote none
    return { view: { dir: "ORIGINAL", state: "INVALID", note: "an ICMP error that quotes no tracked connection" }, fresh: false };
  }
  const e: CtEntry = { id: t.nextId, orig: tuple, reply: invertTuple(tuple), status: 0, protoState: p.proto === "tcp" ? "NONE" : "", mark: 0, zone, timeout: 0, updated: now, created: now };
  if (p.proto === "tcp") {
    const seg = segmentOf(p);
    // Linux: tcp_error's flag check comes first, then tcp_new
    if (!validTcpFlags(seg.flags)) return { view: { dir: "ORIGINAL", state: "INVALID", note: "not a valid combination of TCP flags" }, fresh: false };
    const made = tcpNew(seg, cfg.tcp.loose);
    if ("reason" in made) return { view: { dir: "ORIGINAL", state: "INVALID", note: made.reason }, fresh: false };
    e.tcp = made.track;
    const v = tcpPacket(e, e.tcp, "ORIGINAL", seg, cfg.tcp, now);
    if (v.kind === "invalid" || v.kind === "repeat") return { view: { dir: "ORIGINAL", state: "INVALID", note: v.reason }, fresh: false };
  } else updateOtherProto(e, "ORIGINAL", p, now, cfg.timeouts);
  t.nextId++;
  return { view: { entry: e, dir: "ORIGINAL", state: "NEW", note: reopened }, fresh: true };
}

/** UDP, ICMP and the rest: the entry is refreshed with the node's timeouts (UDP becomes a stream). */
function updateOtherProto(e: CtEntry, dir: CtDir, p: Packet, now: number, timeouts: CtTimeouts) {
  e.updated = now;
  if (dir === "REPLY") e.status |= CT_STATUS.SEEN_REPLY;
  if (p.proto === "udp") {
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
