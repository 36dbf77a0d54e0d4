/**
 * NAT bindings on conntrack entries: set up by DNAT/SNAT/MASQUERADE/REDIRECT on a connection's
 * first packet, then applied to every later packet and reply from the tuples alone.
 *
 * Why: it is why the article's later packets skip the nat table, and why a reply comes back
 * un-NATed with no rule. Linux: nf_nat_setup_info (get_unique_tuple, nf_nat_l4proto_unique_tuple)
 * and nf_nat_packet (which manip applies in which direction).
 */
import { CT_STATUS, invertTuple, type CtDir, type CtEntry, type CtTuple } from "./entry.js";
import { tupleTaken, type ConntrackTable } from "./table.js";
import type { Packet } from "../model/packet.js";
import type { NatRange } from "../ext/types.js";
import type { Rng } from "../rng.js";

export type Manip = "SRC" | "DST";

export function natInitialized(e: CtEntry, manip: Manip): boolean {
  return (e.status & (manip === "SRC" ? CT_STATUS.SRC_NAT_DONE : CT_STATUS.DST_NAT_DONE)) !== 0;
}

/** A small deterministic hash for picking inside address ranges (the kernel uses jhash). */
function tupleHash(t: CtTuple): number {
  let h = 2166136261;
  h = Math.imul(h ^ (t.src >>> 0), 16777619) >>> 0;
  h = Math.imul(h ^ (t.dst >>> 0), 16777619) >>> 0;
  h = Math.imul(h ^ (t.sport >>> 0), 16777619) >>> 0;
  h = Math.imul(h ^ (t.dport >>> 0), 16777619) >>> 0;
  return h;
}

/**
 * Linux: nf_nat_setup_info. `to` is the new address (already resolved for MASQUERADE/REDIRECT),
 * or undefined for a null binding.
 */
export function setupNat(
  table: ConntrackTable,
  e: CtEntry,
  manip: Manip,
  range: NatRange | undefined,
  rng: Rng,
): void {
  const cur = invertTuple(e.reply); // the original direction as it will leave after NAT
  if (range) {
    const minIp = range.minIp;
    const maxIp = range.maxIp ?? minIp;
    if (minIp !== undefined && maxIp !== undefined) {
      const span = maxIp - minIp + 1;
      const pick = span <= 1 ? minIp : minIp + ((range.random ? rng.u32() : tupleHash(e.orig)) % span);
      if (manip === "SRC") cur.src = pick >>> 0;
      else cur.dst = pick >>> 0;
    }
    if (cur.proto !== "icmp") uniquePort(table, e, cur, manip, range, rng);
  } else if (manip === "SRC" && cur.proto !== "icmp" && tupleTaken(table, invertTuple(cur), e)) {
    // null binding that clashes: the kernel still picks a free source port
    uniquePort(table, e, cur, manip, {}, rng);
  }
  const before = invertTuple(e.reply);
  const changed = before.src !== cur.src || before.dst !== cur.dst || before.sport !== cur.sport || before.dport !== cur.dport;
  e.reply = invertTuple(cur);
  if (changed) e.status |= manip === "SRC" ? CT_STATUS.SRC_NAT : CT_STATUS.DST_NAT;
  e.status |= manip === "SRC" ? CT_STATUS.SRC_NAT_DONE : CT_STATUS.DST_NAT_DONE;
}

/** Linux: nf_nat_l4proto_unique_tuple. */
function uniquePort(table: ConntrackTable, e: CtEntry, cur: CtTuple, manip: Manip, range: NatRange, rng: Rng) {
  const key = manip === "SRC" ? "sport" : "dport";
  const orig = cur[key];
  let min: number;
  let size: number;
  if (range.minPort !== undefined) {
    min = range.minPort;
    size = (range.maxPort ?? min) - min + 1;
  } else if (manip === "DST") {
    return; // DNAT without ports keeps the port
  } else if (orig < 1024) {
    if (orig < 512) {
      min = 1;
      size = 511;
    } else {
      min = 600;
      size = 424;
    }
  } else {
    min = 1024;
    size = 65535 - 1024 + 1;
  }
  const randomAll = range.random || range.randomFully;
  const inRange = orig >= min && orig < min + size;
  if (!randomAll && inRange) {
    if (!tupleTaken(table, invertTuple(cur), e)) return;
  }
  // Linux: nf_nat_l4proto_unique_tuple — a random start for source NAT (and for --random*),
  // the first port of the range for DNAT
  let off = range.randomFully || range.random || manip === "SRC" ? rng.u32() & 0xffff : 0;
  for (let i = 0; i < size; i++, off++) {
    cur[key] = min + (off % size);
    if (!tupleTaken(table, invertTuple(cur), e)) return;
  }
}

/** Linux: nf_nat_packet — rewrite the packet from the entry, if this manip applies. */
export function applyNat(e: CtEntry, dir: CtDir, manip: Manip, pkt: Packet): boolean {
  let bit: number = manip === "SRC" ? CT_STATUS.SRC_NAT : CT_STATUS.DST_NAT;
  if (dir === "REPLY") bit ^= CT_STATUS.SRC_NAT | CT_STATUS.DST_NAT;
  if (!(e.status & bit)) return false;
  const target = invertTuple(dir === "ORIGINAL" ? e.reply : e.orig);
  if (manip === "SRC") {
    pkt.src = target.src;
    pkt.sport = target.sport; // for ICMP echo, sport holds the id, which SNAT rewrites too
  } else {
    pkt.dst = target.dst;
    if (pkt.proto !== "icmp") pkt.dport = target.dport;
  }
  return true;
}
