/**
 * TCP connection tracking's state table: for each state, direction and segment kind, the next
 * state — or "IV" (the packet is INVALID and the entry is left alone) or "IG" (the packet passes,
 * the state does not move) — and the flag combinations a segment may carry at all.
 *
 * Why: ctstate starts here: an ACK before the SYN-ACK is INVALID — which Docker, Calico and
 * kube-proxy rules drop — and a SYN on a closed connection may start it again. The cases the
 * table cannot say alone (reopening, resynchronising, resets) are in tcp-packet.ts, the window
 * in tcp-window.ts. Linux: nf_conntrack_proto_tcp.c (tcp_conntracks, get_conntrack_index,
 * tcp_valid_flags).
 */
import { TCP_FLAG_BIT as F } from "../model/packet.js";
import type { CtDir } from "./entry.js";

export type TcpState = "NONE" | "SYN_SENT" | "SYN_RECV" | "ESTABLISHED" | "FIN_WAIT" | "CLOSE_WAIT" | "LAST_ACK" | "TIME_WAIT" | "CLOSE" | "SYN_SENT2";

const COLS: TcpState[] = ["NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2"];
const [, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2] = COLS as [TcpState, TcpState, TcpState, TcpState, TcpState, TcpState, TcpState, TcpState, TcpState, TcpState];
const sIV = "IV" as const;
const sIG = "IG" as const;

/** Linux: enum tcp_bit_set — which of the state table's rows a segment reads. */
export type TcpIndex = "syn" | "synack" | "fin" | "ack" | "rst" | "none";

const TABLE: Record<CtDir, Record<TcpIndex, TcpNext[]>> = {
  ORIGINAL: {
    syn: [sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2],
    synack: [sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR],
    fin: [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    ack: [sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV],
    rst: [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    none: [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  },
  REPLY: {
    syn: [sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2],
    synack: [sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR],
    fin: [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    ack: [sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG],
    rst: [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    none: [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  },
};

/** Linux: get_conntrack_index — RST wins, then SYN (with ACK: SYN-ACK), then FIN, then ACK. */
export function tcpIndex(flags: number): TcpIndex {
  if (flags & F.RST) return "rst";
  if (flags & F.SYN) return flags & F.ACK ? "synack" : "syn";
  if (flags & F.FIN) return "fin";
  if (flags & F.ACK) return "ack";
  return "none";
}

/** Linux: tcp_valid_flags — the flag combinations a TCP segment may carry (PSH, ECE and CWR aside). */
const VALID = new Set([F.SYN, F.SYN | F.URG, F.SYN | F.ACK, F.RST, F.RST | F.ACK, F.FIN | F.ACK, F.FIN | F.ACK | F.URG, F.ACK, F.ACK | F.URG]);

export function validTcpFlags(flags: number): boolean {
  return VALID.has(flags & ~(F.PSH | F.ECE | F.CWR));
}

/** The table's answer: the next state, "IV" (invalid) or "IG" (ignore: pass, change nothing). */
export type TcpNext = TcpState | "IV" | "IG";

export function tcpNextState(state: string, dir: CtDir, index: TcpIndex): TcpNext {
  const col = COLS.indexOf(state as TcpState);
  return TABLE[dir][index][col < 0 ? 0 : col]!;
}

/** The states' order (enum tcp_conntrack): some of the kernel's tests compare them. */
export function tcpStateOrder(state: string): number {
  return COLS.indexOf(state as TcpState);
}
