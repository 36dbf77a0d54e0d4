/**
 * A conntrack entry as `conntrack -L` prints it.
 *
 * Why: explain output, `show conntrack` and the notebook tables show entries the way a learner
 * will see them on a real node; the engine keeps the entry as data and formats nothing.
 */
import { formatIp } from "../engine/model/ipv4.js";
import { PROTO_NUM } from "../engine/model/packet.js";
import { CT_STATUS, hasStatus, secondsLeft, type CtEntry, type CtTuple } from "../engine/conntrack/entry.js";
import { TCP_TRACK, type TcpSide } from "../engine/conntrack/tcp-window.js";

function tupleText(t: CtTuple): string {
  if (t.proto === "icmp") return `src=${formatIp(t.src)} dst=${formatIp(t.dst)} type=${t.dport} code=0 id=${t.sport}`;
  return `src=${formatIp(t.src)} dst=${formatIp(t.dst)} sport=${t.sport} dport=${t.dport}`;
}

/** One line as `conntrack -L` prints it. */
export function formatCtEntry(e: CtEntry, now: number): string {
  const left = secondsLeft(e, now);
  const parts = [`${e.orig.proto.padEnd(8)} ${PROTO_NUM[e.orig.proto]} ${left}`];
  if (e.protoState) parts.push(e.protoState);
  parts.push(tupleText(e.orig));
  if (!hasStatus(e, CT_STATUS.SEEN_REPLY)) parts.push("[UNREPLIED]");
  parts.push(tupleText(e.reply));
  if (hasStatus(e, CT_STATUS.ASSURED)) parts.push("[ASSURED]");
  parts.push(`mark=${e.mark}`);
  if (e.zone) parts.push(`zone=${e.zone}`);
  parts.push("use=1");
  return parts.join(" ");
}

const TRACK_NAMES = Object.entries(TCP_TRACK) as [string, number][];

/** One direction's window state, named as the kernel's struct ip_ct_tcp_state names it. */
export function formatTcpSide(side: TcpSide): string {
  const flags = TRACK_NAMES.filter(([, bit]) => side.flags & bit).map(([n]) => n);
  return `td_end=${side.end} td_maxend=${side.maxend} td_maxwin=${side.maxwin} td_maxack=${side.maxack} wscale=${side.scale}${flags.length ? ` [${flags.join(",")}]` : ""}`;
}

/**
 * A TCP entry's window tracking, both directions: what the next segment must fit. A sender's
 * data may reach up to its td_maxend; its ACKs may not pass the other side's td_end.
 */
export function formatTcpWindows(e: CtEntry): string[] {
  if (!e.tcp) return [];
  const [o, r] = e.tcp.seen;
  return [`    original: ${formatTcpSide(o)}`, `    reply:    ${formatTcpSide(r)}`];
}
