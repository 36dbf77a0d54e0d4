/**
 * -m conntrack: connection state, status, direction and tuples.
 *
 * Why: `--ctstate NEW` gates kube-proxy's filter chains, `--ctstate DNAT` sends Calico into
 * cali-to-host-endpoint. The SNAT/DNAT pseudo-states come from the entry's status bits.
 * Linux: xt_conntrack.c conntrack_mt; iptables prints states INVALID,NEW,RELATED,ESTABLISHED,
 * UNTRACKED,SNAT,DNAT and statuses NONE,EXPECTED,SEEN_REPLY,ASSURED,CONFIRMED in that order.
 */
import type { BuildCtx, MatchFail, MatchModule, OptionUse } from "../types.js";
import { CT_STATUS, secondsLeft, type CtTuple } from "../../conntrack/entry.js";
import { formatCidr, formatIp, inCidr, parseIp, type Cidr } from "../../model/ipv4.js";
import { Missed, arg, bang, cidrArg, formatPortRange, inRange, parseUint, portRangeArg, uniqueUses, type PortRange } from "../util.js";
import { PROTO_NUM } from "../../model/packet.js";

export const STATE_BITS: [string, number][] = [
  ["INVALID", 1], ["NEW", 2], ["RELATED", 4], ["ESTABLISHED", 8], ["UNTRACKED", 16], ["SNAT", 32], ["DNAT", 64],
];
const STATUS_BITS: [string, number][] = [
  ["NONE", 0], ["EXPECTED", CT_STATUS.EXPECTED], ["SEEN_REPLY", CT_STATUS.SEEN_REPLY], ["ASSURED", CT_STATUS.ASSURED], ["CONFIRMED", CT_STATUS.CONFIRMED],
];

export function parseBits(u: OptionUse, ctx: BuildCtx, table: [string, number][], what: string): number {
  let v = 0;
  const text = arg(u, ctx);
  for (const name of text.split(",")) {
    const f = table.find(([n]) => n === name.toUpperCase());
    if (!f) ctx.fail(u.argTokens[0] ?? u.token, `Bad ${what} "${name}"`);
    v |= f[1];
  }
  return v;
}

export function formatBits(v: number, table: [string, number][]): string {
  const names = table.filter(([, b]) => b !== 0 && (v & b) === b).map(([n]) => n);
  return names.length ? names.join(",") : (table.find(([, b]) => b === 0)?.[0] ?? "");
}

type Addr = { cidr: Cidr; neg: boolean; text: string };
type Port = { range: PortRange; neg: boolean };
interface CtData {
  state?: { bits: number; neg: boolean };
  proto?: { num: number; neg: boolean };
  origsrc?: Addr;
  origdst?: Addr;
  replsrc?: Addr;
  repldst?: Addr;
  origsrcport?: Port;
  origdstport?: Port;
  replsrcport?: Port;
  repldstport?: Port;
  status?: { bits: number; neg: boolean };
  expire?: { range: PortRange; neg: boolean };
  dir?: "ORIGINAL" | "REPLY";
}

const ADDRS = ["origsrc", "origdst", "replsrc", "repldst"] as const;
const PORTS = ["origsrcport", "origdstport", "replsrcport", "repldstport"] as const;

/** The state bits a packet has, as xt_conntrack computes them. */
export function packetStateBits(env: Parameters<MatchModule<unknown>["test"]>[1]): number {
  const ct = env.ct;
  if (!ct) return 1; // no conntrack at all: INVALID
  let bits = STATE_BITS.find(([n]) => n === ct.state)![1];
  if (ct.entry) {
    if (ct.entry.status & CT_STATUS.SRC_NAT) bits |= 32;
    if (ct.entry.status & CT_STATUS.DST_NAT) bits |= 64;
  }
  return bits;
}

function addrOf(t: CtTuple, side: "src" | "dst"): number {
  return side === "src" ? t.src : t.dst;
}

/**
 * An address as `iptables -L -n` prints it: the address as given (host bits kept, measured:
 * "ctorigsrc 10.0.0.1/8"), then the mask — nothing for /32, "/N" when contiguous, else dotted.
 */
function listAddr(v: Addr): string {
  const slash = v.text.indexOf("/");
  const ip = parseIp(slash < 0 ? v.text : v.text.slice(0, slash));
  const addr = ip === undefined ? formatIp(v.cidr.addr) : formatIp(ip);
  if (v.cidr.mask >>> 0 === 0xffffffff) return addr;
  return v.cidr.prefix >= 0 ? `${addr}/${v.cidr.prefix}` : `${addr}/${formatIp(v.cidr.mask)}`;
}

/** --ctexpire SECONDS[:SECONDS]: any 32-bit values (libxt_conntrack), not a port range. */
function expireRange(u: OptionUse, ctx: BuildCtx): PortRange {
  const text = arg(u, ctx);
  const parts = text.split(":");
  const lo = parseUint(parts[0] ?? "");
  const hi = parts.length === 2 ? parseUint(parts[1]!) : lo;
  if (parts.length > 2 || lo === undefined || hi === undefined || hi < lo) ctx.fail(u.argTokens[0] ?? u.token, `conntrack: bad value for option "--ctexpire", or out of range (0-4294967295): "${text}"`);
  return { min: lo, max: hi };
}

const conntrack: MatchModule<CtData> = {
  kind: "match",
  usesConntrack: true,
  name: "conntrack",
  help: "connection tracking: --ctstate, --ctstatus, --ctdir, --ctorigsrc ...",
  requiresOption: "conntrack: At least one option is required",
  options: [
    { name: "ctstate", negatable: true, help: "INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED,SNAT,DNAT" },
    { name: "ctproto", negatable: true },
    ...ADDRS.map((n) => ({ name: `ct${n}`, negatable: true })),
    ...PORTS.map((n) => ({ name: `ct${n}`, negatable: true })),
    { name: "ctstatus", negatable: true, help: "NONE,EXPECTED,SEEN_REPLY,ASSURED,CONFIRMED" },
    { name: "ctexpire", negatable: true },
    { name: "ctdir", help: "ORIGINAL or REPLY" },
  ],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const d: CtData = {};
    const st = m.get("ctstate");
    if (st) d.state = { bits: parseBits(st, ctx, STATE_BITS, "ctstate"), neg: st.negated };
    const pr = m.get("ctproto");
    if (pr) {
      const t = arg(pr, ctx);
      const num = /^\d+$/.test(t) ? Number(t) : PROTO_NUM[t.toLowerCase()];
      if (num === undefined) ctx.fail(pr.argTokens[0] ?? pr.token, `unknown protocol "${t}" specified`);
      d.proto = { num, neg: pr.negated };
    }
    for (const a of ADDRS) {
      const u = m.get(`ct${a}`);
      if (u) d[a] = { cidr: cidrArg(u, ctx), neg: u.negated, text: u.args[0]! };
    }
    for (const p of PORTS) {
      const u = m.get(`ct${p}`);
      if (u) d[p] = { range: portRangeArg(u, ctx), neg: u.negated };
    }
    const s = m.get("ctstatus");
    if (s) d.status = { bits: parseBits(s, ctx, STATUS_BITS, "ctstatus"), neg: s.negated };
    const ex = m.get("ctexpire");
    if (ex) d.expire = { range: expireRange(ex, ctx), neg: ex.negated };
    const dir = m.get("ctdir");
    if (dir) {
      const v = arg(dir, ctx).toUpperCase();
      if (v !== "ORIGINAL" && v !== "REPLY") ctx.fail(dir.argTokens[0] ?? dir.token, `Unknown --ctdir "${dir.args[0]}"`);
      d.dir = v;
    }
    return d;
  },
  save(d) {
    const p: string[] = [];
    if (d.state) p.push(`${bang(d.state.neg)}--ctstate ${formatBits(d.state.bits, STATE_BITS)}`);
    if (d.proto) p.push(`${bang(d.proto.neg)}--ctproto ${d.proto.num}`);
    for (const a of ADDRS) {
      const v = d[a];
      if (v) p.push(`${bang(v.neg)}--ct${a} ${v.text}`); // printed as given (measured)
    }
    for (const a of PORTS) {
      const v = d[a];
      if (v) p.push(`${bang(v.neg)}--ct${a} ${formatPortRange(v.range)}`);
    }
    if (d.status) p.push(`${bang(d.status.neg)}--ctstatus ${formatBits(d.status.bits, STATUS_BITS)}`);
    if (d.expire) p.push(`${bang(d.expire.neg)}--ctexpire ${formatPortRange(d.expire.range)}`);
    if (d.dir) p.push(`--ctdir ${d.dir}`);
    return p.join(" ");
  },
  // libxt_conntrack conntrack_dump (numeric): same order as save, "! " before a negated item
  list(d) {
    const p: string[] = [];
    if (d.state) p.push(`${bang(d.state.neg)}ctstate ${formatBits(d.state.bits, STATE_BITS)}`);
    if (d.proto) p.push(`${bang(d.proto.neg)}ctproto ${d.proto.num}`);
    for (const a of ADDRS) {
      const v = d[a];
      if (v) p.push(`${bang(v.neg)}ct${a} ${listAddr(v)}`);
    }
    for (const a of PORTS) {
      const v = d[a];
      if (v) p.push(`${bang(v.neg)}ct${a} ${formatPortRange(v.range)}`);
    }
    if (d.status) p.push(`${bang(d.status.neg)}ctstatus ${formatBits(d.status.bits, STATUS_BITS)}`);
    if (d.expire) p.push(`${bang(d.expire.neg)}ctexpire ${formatPortRange(d.expire.range)}`);
    if (d.dir) p.push(`ctdir ${d.dir}`);
    return p.join(" ");
  },
  test(d, env): MatchFail | null {
    const ct = env.ct;
    if (d.state) {
      const bits = packetStateBits(env);
      const ok = (bits & d.state.bits) !== 0;
      if (ok === d.state.neg) {
        const state = d.state;
        return new Missed(() => [`${bang(state.neg)}--ctstate ${formatBits(state.bits, STATE_BITS)}`, `ctstate is ${formatBits(bits, STATE_BITS)}`]);
      }
    }
    const e = ct?.entry;
    // Linux: conntrack_mt — without an entry (INVALID, UNTRACKED) --ctstate alone decides, and a
    // rule without --ctstate never matches, negated clauses included (measured)
    if (!e) return d.state ? null : { clause: conntrack.save(d), why: "no conntrack entry (only --ctstate can match then)" };
    if (d.proto && (PROTO_NUM[e.orig.proto] === d.proto.num) === d.proto.neg)
      return { clause: `--ctproto ${d.proto.num}`, why: `connection is ${e.orig.proto}` };
    for (const a of ADDRS) {
      const v = d[a];
      if (!v) continue;
      const ip = addrOf(a.startsWith("orig") ? e.orig : e.reply, a.endsWith("src") ? "src" : "dst");
      if (inCidr(ip, v.cidr) === v.neg) return { clause: `${bang(v.neg)}--ct${a} ${formatCidr(v.cidr)}`, why: `it is ${formatIp(ip)}` };
    }
    for (const a of PORTS) {
      const v = d[a];
      if (!v) continue;
      const t = a.startsWith("orig") ? e.orig : e.reply;
      const port = a.includes("src") ? t.sport : t.dport;
      if (inRange(port, v.range) === v.neg) return { clause: `${bang(v.neg)}--ct${a} ${formatPortRange(v.range)}`, why: `it is ${port}` };
    }
    if (d.status) {
      // measured: --ctstatus NONE never matches, not even a first packet with no status bits
      const ok = d.status.bits !== 0 && (e.status & d.status.bits) !== 0;
      if (ok === d.status.neg) return { clause: `${bang(d.status.neg)}--ctstatus ${formatBits(d.status.bits, STATUS_BITS)}`, why: `status is ${formatBits(e.status, STATUS_BITS)}` };
    }
    if (d.expire) {
      const left = secondsLeft(e, env.now);
      if (inRange(left, d.expire.range) === d.expire.neg) return { clause: `--ctexpire ${formatPortRange(d.expire.range)}`, why: `expires in ${left}s` };
    }
    if (d.dir && ct!.dir !== d.dir) return { clause: `--ctdir ${d.dir}`, why: `packet is in the ${ct!.dir} direction` };
    return null;
  },
};
export default conntrack;
