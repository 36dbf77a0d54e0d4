/**
 * The TCP stacks at the two ends of ktrace's connections, as far as their headers go: each end's
 * initial sequence number, the next byte it sends, the next byte it expects, and the window it
 * advertises.
 *
 * Why: conntrack checks every segment's sequence, acknowledgement and window against what it saw
 * before (tcp-window.ts). So that `send`, `reply` and `connect` behave like the real client and
 * server of the kernel scenarios, a segment the user did not number is numbered here as a Linux
 * stack would number it; one with an explicit `seq`/`ack`/`win` is a hand-made segment (a raw
 * socket) and leaves the ends' state alone. Each end is known by its own view of the addresses
 * (after NAT), so the server's answer continues the server's numbers.
 */
import { TCP_FLAG_BIT as F, tcpDataLength, type Packet } from "../engine/model/packet.js";
import type { WalkResult } from "../engine/walk/packet-walk.js";
import { segmentOf } from "../engine/conntrack/tcp-packet.js";
import { segmentEnd } from "../engine/conntrack/tcp-window.js";
import type { PacketSpec } from "./packet-spec.js";

interface End {
  /** the next sequence number this end sends (snd_nxt); undefined until it sends */
  sndNxt?: number;
  /** the next sequence number it expects (rcv_nxt); undefined until it receives */
  rcvNxt?: number;
  /** its last segment was its SYN (or SYN-ACK), nothing else since: a SYN again is a retransmission */
  synSent?: { isn: number; flags: number };
  /** the acknowledgement number of its last ACK */
  lastAck?: number;
}

/** Windows a Linux stack advertises with default buffers on a 1500-byte link: SYN, SYN-ACK, then (scaled by 2^7) later segments. */
export const LINUX_WINDOWS = { syn: 64240, synAck: 65160, later: 502 };

/** How many ends a session remembers (the oldest are forgotten first). */
const MAX_ENDS = 4096;

const keyOf = (src: number, sport: number, dst: number, dport: number) => `${src}:${sport}>${dst}:${dport}`;
const after = (a: number, b: number) => ((b - a) | 0) < 0;
/** The sequence number just past a segment (its data, and one each for SYN and FIN), as conntrack counts it. */
const endOf = (p: Packet) => segmentEnd(segmentOf(p));

/** Linux: secure_tcp_seq — a hash of the addresses plus a clock ticking every 64 ns. */
export function initialSequence(src: number, sport: number, dst: number, dport: number, nowMs: number): number {
  let h = 0x811c9dc5;
  for (const n of [src, dst, (sport << 16) | dport])
    for (let i = 0; i < 4; i++) {
      h ^= (n >>> (8 * i)) & 0xff;
      h = Math.imul(h, 0x01000193);
    }
  return (h + Math.floor(nowMs * 15625)) >>> 0;
}

export class TcpPeers {
  private ends = new Map<string, End>();

  clear(): void {
    this.ends.clear();
  }

  private end(key: string): End {
    let e = this.ends.get(key);
    if (!e) {
      if (this.ends.size >= MAX_ENDS) this.ends.delete(this.ends.keys().next().value!);
      this.ends.set(key, (e = {}));
    }
    return e;
  }

  /**
   * Fills in the numbers of a TCP segment the user did not number, as its sending end would.
   * `answering`: the segment this one answers as it arrived (`reply`); a reset from an end with
   * no connection is then numbered from it, as tcp_v4_send_reset does.
   */
  number(pkt: Packet, spec: PacketSpec, nowMs: number, answering?: Packet): void {
    if (pkt.proto !== "tcp") return;
    const key = keyOf(pkt.src, pkt.sport, pkt.dst, pkt.dport);
    const peer = this.ends.get(keyOf(pkt.dst, pkt.dport, pkt.src, pkt.sport));
    const known = this.ends.get(key);
    const f = pkt.tcpFlags;
    const syn = (f & F.SYN) !== 0;
    const hasAck = (f & F.ACK) !== 0;
    const rst = (f & F.RST) !== 0;
    let seq: number;
    if (syn) seq = known?.synSent?.flags === (f & (F.SYN | F.ACK)) ? known.synSent.isn : initialSequence(pkt.src, pkt.sport, pkt.dst, pkt.dport, nowMs);
    else if (known?.sndNxt !== undefined) seq = known.sndNxt;
    // a reset from an end with no connection: at the acknowledgement it answers, else 0
    else if (rst) seq = answering ? (answering.tcpFlags & F.ACK ? answering.ack : 0) : (peer?.lastAck ?? 0);
    else seq = initialSequence(pkt.src, pkt.sport, pkt.dst, pkt.dport, nowMs);
    const resetAck = rst && known?.sndNxt === undefined && answering ? endOf(answering) : undefined;
    const ack = hasAck ? (resetAck ?? known?.rcvNxt ?? peer?.sndNxt ?? 0) : 0;
    const win = rst && known?.sndNxt === undefined ? 0 : syn ? (hasAck ? LINUX_WINDOWS.synAck : LINUX_WINDOWS.syn) : LINUX_WINDOWS.later;
    if (resetAck !== undefined || (rst && known?.sndNxt === undefined && answering)) {
      // no socket: tcp_v4_send_reset builds a bare header (no options) with IP id 0
      Object.assign(pkt, { tcpOptions: [] }); // the packet is still being built
      if (spec.len === undefined) pkt.len = 40;
      pkt.id = 0; // (a reply's id is never the user's)
    }
    pkt.seq = spec.seq ?? (seq + (spec.seqOffset ?? 0)) >>> 0;
    pkt.ack = spec.ack ?? ack;
    pkt.win = spec.win ?? win;
    if (spec.seq !== undefined || spec.seqOffset !== undefined) return; // a hand-made segment: the ends do not know of it
    if (rst) {
      this.ends.delete(key);
      return;
    }
    const e = this.end(key);
    if (syn && !hasAck) e.rcvNxt = undefined; // a new connection
    e.sndNxt = endOf(pkt);
    e.synSent = syn && tcpDataLength(pkt) === 0 ? { isn: seq, flags: f & (F.SYN | F.ACK) } : undefined;
    if (hasAck) e.lastAck = pkt.ack;
  }

  /** A segment that reached the other end (sent out, or delivered here) moves what that end expects. */
  received(r: WalkResult): void {
    const p = r.pkt;
    if (p.proto !== "tcp" || (r.fate.kind !== "sent" && r.fate.kind !== "delivered")) return;
    const key = keyOf(p.dst, p.dport, p.src, p.sport);
    if (p.tcpFlags & F.RST) {
      this.ends.delete(key);
      return;
    }
    const syn = (p.tcpFlags & F.SYN) !== 0;
    const end = endOf(p);
    const e = this.end(key);
    if (syn && !(p.tcpFlags & F.ACK)) {
      // a SYN: a new connection from the other side
      this.ends.set(key, { rcvNxt: end });
      return;
    }
    e.synSent = undefined;
    // in order: it starts at or before the next expected byte and ends past it
    if (e.rcvNxt === undefined || syn || (!after(p.seq, e.rcvNxt) && after(end, e.rcvNxt))) e.rcvNxt = end;
  }
}
