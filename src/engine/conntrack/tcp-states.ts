/**
 * TCP connection tracking's state table: for each state, direction and segment kind, the next
 * state — or "invalid" (the packet is INVALID and the entry is left alone) or "ignore" (the
 * packet passes, the state does not move).
 *
 * Why: ctstate comes from here. A second SYN after a reset re-opens the connection (a NEW entry,
 * a new kube-proxy endpoint); an ACK before the SYN-ACK is INVALID — which Docker, Calico and
 * kube-proxy rules drop. Linux: nf_conntrack_proto_tcp.c (tcp_conntracks, get_conntrack_index,
 * tcp_valid_flags).
 */
import { TCP_FLAG_BIT as F } from "../model/packet.js";
import type { CtDir } from "./entry.js";

export type TcpState = "NONE" | "SYN_SENT" | "SYN_RECV" | "ESTABLISHED" | "FIN_WAIT" | "CLOSE_WAIT" | "LAST_ACK" | "TIME_WAIT" | "CLOSE" | "SYN_SENT2";
type Next = TcpState | "IV" | "IG";

const COLS: TcpState[] = ["NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2"];
const [, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2] = COLS as [TcpState, TcpState, TcpState, TcpState, TcpState, TcpState, TcpState, TcpState, TcpState, TcpState];
const sIV = "IV" as const;
const sIG = "IG" as const;

type Kind = "syn" | "synack" | "fin" | "ack" | "rst" | "none";

const TABLE: Record<CtDir, Record<Kind, Next[]>> = {
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
function kindOf(flags: number): Kind {
  if (flags & F.RST) return "rst";
  if (flags & F.SYN) return flags & F.ACK ? "synack" : "syn";
  if (flags & F.FIN) return "fin";
  if (flags & F.ACK) return "ack";
  return "none";
}

/** Linux: tcp_valid_flags — the flag combinations a TCP segment may carry (ECE/CWR ignored). */
const VALID = new Set([
  F.SYN, F.SYN | F.URG, F.SYN | F.ACK, F.RST, F.RST | F.ACK, F.RST | F.ACK | F.PSH, F.FIN | F.ACK, F.FIN | F.ACK | F.URG,
  F.ACK, F.ACK | F.URG, F.FIN | F.ACK | F.PSH, F.FIN | F.ACK | F.PSH | F.URG, F.ACK | F.PSH, F.ACK | F.PSH | F.URG,
]);

export function validTcpFlags(flags: number): boolean {
  return VALID.has(flags & ~(0x40 | 0x80));
}

export type Transition = { kind: "state"; next: TcpState } | { kind: "invalid" } | { kind: "ignore" } | { kind: "reopen" };

export function tcpTransition(state: string, dir: CtDir, flags: number): Transition {
  const col = COLS.indexOf(state as TcpState);
  const next = TABLE[dir][kindOf(flags)][col < 0 ? 0 : col]!;
  if (next === sIV) return { kind: "invalid" };
  if (next === sIG) return { kind: "ignore" };
  // a SYN on a closed or closing connection: the kernel kills the entry and starts over
  if (dir === "ORIGINAL" && next === sSS && (state === sTW || state === sCL)) return { kind: "reopen" };
  return { kind: "state", next };
}
