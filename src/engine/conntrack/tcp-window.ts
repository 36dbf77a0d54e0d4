/**
 * TCP window tracking: what conntrack remembers of each direction's sequence space, and the test
 * every segment of a tracked connection must pass to count as in the window.
 *
 * Why: a segment can have flags that fit the connection's state and still be one the endpoints
 * would never accept — a retransmission of long-acknowledged data, a late RST, data past what the
 * receiver advertised. The kernel marks it INVALID (or lets it pass without touching the entry),
 * and an INVALID packet is not NATed: that is how a late retransmit reaches a pod with the
 * Service's address replaced and comes back as "connection reset by peer" (kubernetes #74839).
 * Linux: nf_conntrack_proto_tcp.c (tcp_in_window, tcp_init_sender, tcp_options), struct
 * ip_ct_tcp_state in include/net/netfilter/nf_conntrack_tcp.h. Sequence numbers wrap at 2^32 and
 * are compared as the kernel's before()/after() do.
 */
import { TCP_FLAG_BIT as F } from "../model/packet.js";
import type { TcpIndex } from "./tcp-states.js";

/** Linux: IP_CT_TCP_FLAG_* (include/uapi/linux/netfilter/nf_conntrack_tcp.h). */
export const TCP_TRACK = {
  WINDOW_SCALE: 0x01,
  SACK_PERM: 0x02,
  CLOSE_INIT: 0x04,
  BE_LIBERAL: 0x08,
  DATA_UNACKNOWLEDGED: 0x10,
  MAXACK_SET: 0x20,
  EXP_CHALLENGE_ACK: 0x40,
  SIMULTANEOUS_OPEN: 0x80,
} as const;

/** One direction's sequence space, as seen from the middle (struct ip_ct_tcp_state). */
export interface TcpSide {
  /** highest sequence number sent, plus the segment's length (td_end) */
  end: number;
  /** highest sequence number the other side's window allows (td_maxend) */
  maxend: number;
  /** largest window this side advertised, scaled (td_maxwin) */
  maxwin: number;
  /** highest ACK this side sent (td_maxack) */
  maxack: number;
  /** window scale shift (td_scale) */
  scale: number;
  flags: number;
}

/** The TCP part of a conntrack entry (struct ip_ct_tcp): both directions and the last segment noted. */
export interface TcpTrack {
  /** [ORIGINAL, REPLY] */
  seen: [TcpSide, TcpSide];
  lastDir: 0 | 1;
  lastIndex: TcpIndex;
  lastSeq: number;
  lastAck: number;
  lastEnd: number;
  lastWin: number;
  lastWscale: number;
  lastFlags: number;
  retrans: number;
}

export function emptySide(): TcpSide {
  return { end: 0, maxend: 0, maxwin: 0, maxack: 0, scale: 0, flags: 0 };
}

export function emptyTrack(): TcpTrack {
  return { seen: [emptySide(), emptySide()], lastDir: 0, lastIndex: "none", lastSeq: 0, lastAck: 0, lastEnd: 0, lastWin: 0, lastWscale: 0, lastFlags: 0, retrans: 0 };
}

export function cloneTrack(t: TcpTrack): TcpTrack {
  return { ...t, seen: [{ ...t.seen[0] }, { ...t.seen[1] }] };
}

/** What conntrack reads of a TCP segment. */
export interface Segment {
  flags: number;
  seq: number;
  ack: number;
  /** the raw 16-bit window */
  win: number;
  /** bytes of data */
  dataLen: number;
  /** option kinds present; wscale is the window scale option's value */
  options: readonly number[];
  wscale?: number;
}

const u32 = (n: number) => n >>> 0;
/** Linux before(): a is earlier than b in sequence space. */
export const before = (a: number, b: number) => ((a - b) | 0) < 0;
export const after = (a: number, b: number) => before(b, a);

/** Linux: segment_seq_plus_len — the sequence number just past the segment (SYN and FIN take one each). */
export function segmentEnd(s: Segment): number {
  return u32(s.seq + s.dataLen + (s.flags & F.SYN ? 1 : 0) + (s.flags & F.FIN ? 1 : 0));
}

/** Linux: tcp_options — a segment with options sets this side's window scale and SACK permission anew. */
export function readOptions(s: Segment, side: TcpSide): void {
  if (!s.options.length) return;
  side.scale = 0;
  side.flags &= TCP_TRACK.BE_LIBERAL;
  if (s.options.includes(4)) side.flags |= TCP_TRACK.SACK_PERM;
  if (s.options.includes(3)) {
    side.scale = Math.min(s.wscale ?? 0, 14);
    side.flags |= TCP_TRACK.WINDOW_SCALE;
  }
}

/** Linux: tcp_init_sender — a SYN-ACK (or a simultaneous-open SYN) starts its direction's space. */
function initSender(sender: TcpSide, receiver: TcpSide, s: Segment, end: number, dir: 0 | 1): void {
  sender.end = sender.maxend = end;
  sender.maxwin = s.win === 0 ? 1 : s.win;
  readOptions(s, sender);
  // RFC 1323: scaling applies only when both sides offered it
  if (dir === 1 && !(sender.flags & TCP_TRACK.WINDOW_SCALE && receiver.flags & TCP_TRACK.WINDOW_SCALE)) {
    sender.scale = 0;
    receiver.scale = 0;
  }
}

const MAXACKWINCONST = 66000;
const maxAckWindow = (sender: TcpSide) => (sender.maxwin > MAXACKWINCONST ? sender.maxwin : MAXACKWINCONST);

export type WindowVerdict = { kind: "accept" } | { kind: "ignore" | "invalid"; reason: string };

/**
 * Linux: tcp_in_window. Updates the track for an acceptable segment; otherwise says why not:
 * "invalid" (the packet becomes INVALID) or "ignore" (it passes, the entry is not refreshed).
 * With nf_conntrack_tcp_be_liberal, or on a connection picked up mid-stream, every failure passes.
 */
export function tcpInWindow(track: TcpTrack, state: string, dir: 0 | 1, index: TcpIndex, s: Segment, beLiberal: boolean): WindowVerdict {
  const sender = track.seen[dir];
  const receiver = track.seen[dir === 0 ? 1 : 0];
  let seq = s.seq;
  let ack = s.ack;
  let win = s.win;
  let end = segmentEnd(s);
  // SACK blocks would raise sack above ack; ktrace's segments carry none
  let sack = ack;
  const syn = (s.flags & F.SYN) !== 0;
  const hasAck = (s.flags & F.ACK) !== 0;
  const rst = (s.flags & F.RST) !== 0;
  const fail = (kind: "ignore" | "invalid", reason: string): WindowVerdict => (beLiberal || sender.flags & TCP_TRACK.BE_LIBERAL ? { kind: "accept" } : { kind, reason });

  if (sender.maxwin === 0) {
    if (syn) {
      initSender(sender, receiver, s, end, dir);
      if (!hasAck) return { kind: "accept" }; // simultaneous open
    } else {
      // mid-connection: its history is lost, the segment is all there is to go by
      sender.end = end;
      const swin = u32(win << sender.scale);
      sender.maxwin = swin === 0 ? 1 : swin;
      sender.maxend = u32(end + sender.maxwin);
      if (receiver.maxwin === 0) receiver.end = receiver.maxend = sack;
      else if (sack === u32(receiver.end + 1)) receiver.end = u32(receiver.end + 1); // a keepalive's answer
    }
  } else if (syn && after(end, sender.end) && (state === "SYN_SENT" || state === "SYN_RECV")) {
    // a reinitialised SYN (or SYN-ACK) with a higher sequence number starts the direction again
    initSender(sender, receiver, s, end, dir);
    if (dir === 1 && !hasAck) return { kind: "accept" };
  }

  if (!hasAck) ack = sack = receiver.end;
  else if (rst && ack === 0) ack = sack = receiver.end; // stacks that set ACK in a RST with ack 0

  if (rst && seq === 0 && state === "SYN_SENT") seq = end = sender.end; // the RST that answers a SYN

  if (!before(seq, u32(sender.maxend + 1))) {
    const overshot = u32(end - sender.maxend + 1);
    const ackOk = after(sack, u32(receiver.end - maxAckWindow(sender) - 1));
    const inRecvWin = receiver.maxwin !== 0 && after(end, u32(sender.end - receiver.maxwin - 1));
    if (inRecvWin && ackOk && overshot <= receiver.maxwin && before(sack, u32(receiver.end + 1))) {
      // a sender that overran the window by a little: remember the data, so its ACK is not refused later
      sender.end = end;
      sender.flags |= TCP_TRACK.DATA_UNACKNOWLEDGED;
      return fail("ignore", `${overshot} bytes more than the receiver's window allows`);
    }
    return fail("invalid", `seq ${seq} is above the window's end ${u32(sender.maxend + 1)} (beyond what the receiver advertised)`);
  }
  if (!before(sack, u32(receiver.end + 1)))
    return fail("invalid", `ack ${sack} is above ${u32(receiver.end + 1)} (it acknowledges data the other side never sent)`);
  const inRecvWin = receiver.maxwin === 0 || after(end, u32(sender.end - receiver.maxwin - 1));
  if (!inRecvWin)
    return fail("ignore", `the segment ends at ${end}, below the window's start ${u32(sender.end - receiver.maxwin - 1)} (data acknowledged long ago, retransmitted)`);
  if (!after(sack, u32(receiver.end - maxAckWindow(sender) - 1)))
    return fail("ignore", `ack ${sack} is below ${u32(receiver.end - maxAckWindow(sender) - 1)} (an ACK delayed too long)`);

  if (!syn) win = u32(win << sender.scale);
  const swin = u32(win + (sack - ack));
  if (sender.maxwin < swin) sender.maxwin = swin;
  if (after(end, sender.end)) {
    sender.end = end;
    sender.flags |= TCP_TRACK.DATA_UNACKNOWLEDGED;
  }
  if (hasAck) {
    if (!(sender.flags & TCP_TRACK.MAXACK_SET)) {
      sender.maxack = ack;
      sender.flags |= TCP_TRACK.MAXACK_SET;
    } else if (after(ack, sender.maxack)) sender.maxack = ack;
  }
  if (receiver.maxwin !== 0 && after(end, sender.maxend)) receiver.maxwin = u32(receiver.maxwin + (end - sender.maxend));
  if (after(u32(sack + win), u32(receiver.maxend - 1))) {
    receiver.maxend = u32(sack + win);
    if (win === 0) receiver.maxend = u32(receiver.maxend + 1);
  }
  if (ack === receiver.end) receiver.flags &= ~TCP_TRACK.DATA_UNACKNOWLEDGED;

  // the same ACK segment again, in the same direction: a retransmission
  if (index === "ack") {
    if (track.lastDir === dir && track.lastSeq === seq && track.lastAck === ack && track.lastEnd === end && track.lastWin === s.win) track.retrans++;
    else {
      track.lastDir = dir;
      track.lastSeq = seq;
      track.lastAck = ack;
      track.lastEnd = end;
      track.lastWin = s.win;
      track.retrans = 0;
    }
  }
  return { kind: "accept" };
}
