/**
 * One TCP segment meets its conntrack entry: the state table, the special cases around it, the
 * window test, and the timeout the entry gets afterwards.
 *
 * Why: whether a segment is ESTABLISHED, INVALID or silently passed, whether a SYN reopens a
 * closed connection (and nat picks an endpoint again), and how long the entry lives all come from
 * here. Linux: nf_conntrack_proto_tcp.c (tcp_new, nf_conntrack_tcp_packet,
 * nf_tcp_handle_invalid); the order of the checks is the kernel's.
 */
import { TCP_FLAG_BIT as F, tcpDataLength, type Packet } from "../model/packet.js";
import { CT_STATUS, type CtEntry } from "./entry.js";
import { tcpIndex, tcpNextState, tcpStateOrder, validTcpFlags, type TcpIndex } from "./tcp-states.js";
import { emptySide, emptyTrack, readOptions, segmentEnd, tcpInWindow, before, TCP_TRACK, type Segment, type TcpTrack } from "./tcp-window.js";
import type { CtTimeouts } from "./timeouts.js";

/** The node's TCP tracking knobs (net.netfilter.nf_conntrack_tcp_*). */
export interface TcpConfig {
  beLiberal: boolean;
  loose: boolean;
  maxRetrans: number;
  ignoreInvalidRst: boolean;
  timeouts: CtTimeouts;
}

export type TcpVerdict =
  /** in the window: state moved, entry refreshed (killed: a RST on a connection never answered) */
  | { kind: "accept"; killed?: boolean }
  /** passes with its entry, which is left alone */
  | { kind: "ignore"; reason: string }
  /** INVALID: the packet continues without its entry */
  | { kind: "invalid"; reason: string }
  /** a SYN reopening a closed connection: the old entry goes, the SYN is looked up again */
  | { kind: "repeat"; reason: string };

export function segmentOf(p: Packet): Segment {
  return { flags: p.tcpFlags, seq: p.seq >>> 0, ack: p.ack >>> 0, win: p.win & 0xffff, dataLen: tcpDataLength(p), options: p.tcpOptions, wscale: p.wscale };
}

const FLAG_NAMES: [number, string][] = [[F.SYN, "SYN"], [F.ACK, "ACK"], [F.FIN, "FIN"], [F.RST, "RST"], [F.PSH, "PSH"], [F.URG, "URG"]];
const flagText = (f: number) => FLAG_NAMES.filter(([b]) => f & b).map(([, n]) => n).join(",") || "no flags";

/**
 * Linux: tcp_new — may this segment start a connection? A SYN opens one; with tcp_loose an ACK
 * picks one up mid-stream, tracked liberally since its window scaling is unknown.
 */
export function tcpNew(s: Segment, loose: boolean): { track: TcpTrack } | { reason: string } {
  const next = tcpNextState("NONE", "ORIGINAL", tcpIndex(s.flags));
  if (next === "IV" || next === "IG") return { reason: `a segment with ${flagText(s.flags)} cannot start a connection` };
  const track = emptyTrack();
  const side = track.seen[0];
  side.end = segmentEnd(s);
  side.maxwin = s.win === 0 ? 1 : s.win;
  if (next === "SYN_SENT") {
    side.maxend = side.end;
    readOptions(s, side);
  } else {
    if (!loose) return { reason: "nf_conntrack_tcp_loose is 0: a connection is not picked up mid-stream" };
    side.maxend = (side.end + side.maxwin) >>> 0;
    track.seen[0].flags = track.seen[1].flags = TCP_TRACK.SACK_PERM | TCP_TRACK.BE_LIBERAL;
  }
  return { track };
}

const CAN_EARLY_DROP = new Set(["FIN_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "CLOSE_WAIT"]);
const established = (e: CtEntry) => e.protoState === "ESTABLISHED" && (e.status & CT_STATUS.ASSURED) !== 0;

/**
 * Linux: nf_conntrack_tcp_packet. Moves the entry (state, windows, timeout) for an acceptable
 * segment, or says why it is ignored or INVALID. `fresh`: the entry was just made by tcpNew.
 */
export function tcpPacket(e: CtEntry, track: TcpTrack, dirName: "ORIGINAL" | "REPLY", s: Segment, cfg: TcpConfig, now: number): TcpVerdict {
  if (!validTcpFlags(s.flags)) return { kind: "invalid", reason: `${flagText(s.flags)} is not a valid combination of TCP flags` };
  const dir: 0 | 1 = dirName === "ORIGINAL" ? 0 : 1;
  let old = e.protoState;
  const index = tcpIndex(s.flags);
  let next = tcpNextState(old, dirName, index);
  let skipWindow = false;

  if (next === "SYN_SENT" && tcpStateOrder(old) >= tcpStateOrder("TIME_WAIT")) {
    // a SYN on a closed or closing connection: reopen it when it was closed by a FIN or by a
    // RST from this side; otherwise the entry may just be out of step: let the SYN pass
    if ((track.seen[dir].flags | track.seen[1 - dir]!.flags) & TCP_TRACK.CLOSE_INIT || (track.lastDir === dir && track.lastIndex === "rst"))
      return { kind: "repeat", reason: `a SYN on a connection in ${old}: the old entry is removed and the SYN starts a new one` };
    next = "IG";
  }
  switch (next) {
    case "IG": {
      const resync = ignored(track, index, dir, s, old);
      if (!resync) return { kind: "ignore", reason: `a segment with ${flagText(s.flags)} in the ${dirName.toLowerCase()} direction is ignored in state ${old}: the entry may be out of step with the endpoints` };
      old = "SYN_SENT";
      next = "SYN_RECV";
      break;
    }
    case "IV":
      return { kind: "invalid", reason: `a segment with ${flagText(s.flags)} in the ${dirName.toLowerCase()} direction is not allowed in state ${old}` };
    case "TIME_WAIT":
      // RFC 5961: a challenge ACK answering a SYN we let through does not ACK the last FIN
      if (old === "LAST_ACK" && index === "ack" && track.lastDir !== dir && track.lastIndex === "syn" && track.lastFlags & TCP_TRACK.EXP_CHALLENGE_ACK) {
        track.lastFlags &= ~TCP_TRACK.EXP_CHALLENGE_ACK;
        return { kind: "ignore", reason: "a challenge ACK: it does not acknowledge the last FIN" };
      }
      break;
    case "SYN_SENT2":
      track.lastFlags |= TCP_TRACK.SIMULTANEOUS_OPEN;
      break;
    case "SYN_RECV":
      if (dir === 1 && index === "ack" && track.lastFlags & TCP_TRACK.SIMULTANEOUS_OPEN) next = "ESTABLISHED";
      break;
    case "CLOSE": {
      if (index !== "rst") break;
      if (CAN_EARLY_DROP.has(old)) {
        skipWindow = true;
        break;
      }
      const peer = track.seen[1 - dir]!;
      if (peer.flags & TCP_TRACK.MAXACK_SET && track.lastIndex !== "syn") {
        if (s.seq === 0 && !established(e)) break;
        if (before(s.seq, peer.maxack) && !cfg.ignoreInvalidRst)
          return { kind: "invalid", reason: `a RST at seq ${s.seq}, below ${peer.maxack} the other side already acknowledged` };
        if (!established(e) || s.seq === peer.maxack) break;
        if (track.lastIndex === "ack" && track.lastDir === dir && s.seq === track.lastEnd) break;
        // not exactly where the next byte is: keep the state, the peer may answer with a challenge ACK
        next = old as typeof next;
      }
      // a reset answering a SYN or ACK let through earlier: from the other side only (a reset from
      // the SYN's own side is checked against the window; measured, Linux 6.18 stable)
      const answersLetThrough = ((e.status & CT_STATUS.SEEN_REPLY && track.lastIndex === "syn" && track.lastDir !== dir) || (!(e.status & CT_STATUS.ASSURED) && track.lastIndex === "ack")) && s.ack === track.lastEnd;
      if (answersLetThrough) skipWindow = true;
      else if (old === "SYN_SENT" && track.lastIndex === "ack" && track.lastDir === 1 && s.seq === track.lastAck) skipWindow = true;
      break;
    }
  }

  if (!skipWindow) {
    const w = tcpInWindow(track, e.protoState, dir, index, s, cfg.beLiberal);
    if (w.kind === "ignore") return w;
    if (w.kind === "invalid") {
      shortenOnInvalid(e, track, dir, index, cfg, now);
      return w;
    }
  }
  const state = next as string;
  track.lastIndex = index;
  track.lastDir = dir;
  e.protoState = state;
  if (old !== state && state === "FIN_WAIT") track.seen[dir].flags |= TCP_TRACK.CLOSE_INIT;

  const t = cfg.timeouts.tcp;
  const stateTimeout = t[state] ?? t.SYN_SENT!;
  let timeout: number;
  if (track.retrans >= cfg.maxRetrans && stateTimeout > cfg.timeouts.tcpMaxRetrans) timeout = cfg.timeouts.tcpMaxRetrans;
  else if (index === "rst") timeout = t.CLOSE!;
  else if ((track.seen[0].flags | track.seen[1].flags) & TCP_TRACK.DATA_UNACKNOWLEDGED && stateTimeout > cfg.timeouts.tcpUnacknowledged) timeout = cfg.timeouts.tcpUnacknowledged;
  else if (track.lastWin === 0 && stateTimeout > cfg.timeouts.tcpMaxRetrans) timeout = cfg.timeouts.tcpMaxRetrans;
  else timeout = stateTimeout;

  if (!(e.status & CT_STATUS.SEEN_REPLY)) {
    // the only answer so far is a reset: no connection was made, conntrack forgets it at once
    if (s.flags & F.RST) return { kind: "accept", killed: true };
    // a retransmitted SYN does not extend the entry's life
    if (index === "syn" && old === "SYN_SENT") return { kind: "accept" };
    // picked up mid-stream and never answered: not the long ESTABLISHED timeout
    if (state === "ESTABLISHED" && timeout > cfg.timeouts.tcpUnacknowledged) timeout = cfg.timeouts.tcpUnacknowledged;
  } else if (!(e.status & CT_STATUS.ASSURED) && (old === "SYN_RECV" || old === "ESTABLISHED") && state === "ESTABLISHED") {
    e.status |= CT_STATUS.ASSURED;
  }
  e.timeout = timeout;
  e.updated = now;
  return { kind: "accept" };
}

/**
 * The IGNORE case: notes the segment, so that the answer to an ignored SYN can bring the entry
 * back in step. Returns true when this SYN-ACK answers a SYN ignored earlier: the entry resyncs.
 */
function ignored(track: TcpTrack, index: TcpIndex, dir: 0 | 1, s: Segment, old: string): boolean {
  if (index === "synack" && track.lastIndex === "syn" && track.lastDir !== dir && s.ack === track.lastEnd) {
    const side = track.seen[track.lastDir];
    side.end = side.maxend = track.lastEnd;
    side.maxwin = track.lastWin === 0 ? 1 : track.lastWin;
    side.scale = track.lastWscale;
    track.lastFlags &= ~TCP_TRACK.EXP_CHALLENGE_ACK;
    side.flags = track.lastFlags;
    const mine = track.seen[dir];
    track.seen[dir] = { ...emptySide(), flags: mine.flags & TCP_TRACK.BE_LIBERAL };
    return true;
  }
  track.lastIndex = index;
  track.lastDir = dir;
  track.lastSeq = s.seq;
  track.lastEnd = segmentEnd(s);
  track.lastWin = s.win;
  if (index === "syn" && dir === 0) {
    const seen = emptySide();
    readOptions(s, seen);
    track.lastFlags = track.lastWscale = 0;
    if (seen.flags & TCP_TRACK.WINDOW_SCALE) {
      track.lastFlags |= TCP_TRACK.WINDOW_SCALE;
      track.lastWscale = seen.scale;
    }
    if (seen.flags & TCP_TRACK.SACK_PERM) track.lastFlags |= TCP_TRACK.SACK_PERM;
    if (old === "LAST_ACK") track.lastFlags |= TCP_TRACK.EXP_CHALLENGE_ACK;
  }
  // a possible challenge ACK answering the SYN
  if (old === "SYN_SENT" && index === "ack" && dir === 1) track.lastAck = s.ack;
  return false;
}

/**
 * Linux: nf_tcp_handle_invalid — an assured connection answered by an out-of-window FIN or RST
 * from both sides is probably dead: its timeout shrinks to the unacknowledged one.
 */
function shortenOnInvalid(e: CtEntry, track: TcpTrack, dir: 0 | 1, index: TcpIndex, cfg: TcpConfig, now: number): void {
  if (!(e.status & CT_STATUS.ASSURED) || (index !== "rst" && index !== "fin")) return;
  if (track.lastDir !== dir && (track.lastIndex === "fin" || track.lastIndex === "rst")) {
    const left = e.timeout - (now - e.updated) / 1000;
    if (left < 120) return;
    if (left > cfg.timeouts.tcpUnacknowledged) {
      e.timeout = cfg.timeouts.tcpUnacknowledged;
      e.updated = now;
    }
  } else {
    track.lastIndex = index;
    track.lastDir = dir;
  }
}
