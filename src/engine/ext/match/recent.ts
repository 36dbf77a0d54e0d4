/**
 * -m recent: a per-name list of recently seen addresses, with timestamps.
 *
 * Why: kube-proxy implements `sessionAffinity: ClientIP` with it (`--set` in the SEP chain,
 * `--rcheck --seconds 10800 --reap` in the SVC chain). Time is the simulated clock.
 * Linux: xt_recent.c recent_mt — the logic and the order of its checks are kept here.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { formatIp, parseIp } from "../../model/ipv4.js";
import { arg, uintArg, uniqueUses } from "../util.js";

type Op = "set" | "rcheck" | "update" | "remove";
interface RecentData {
  op: Op;
  neg: boolean;
  name: string;
  seconds: number;
  reap: boolean;
  hitcount: number;
  rttl: boolean;
  mask: number;
  side: "rsource" | "rdest";
}

interface RecentEntry {
  stamps: number[];
  ttl: number;
}

/** The recent tables live in the state store, keyed by name (shared by all rules using it). */
function tableOf(store: Map<unknown, unknown>, name: string): Map<number, RecentEntry> {
  const key = `recent:${name}`;
  let t = store.get(key) as Map<number, RecentEntry> | undefined;
  if (!t) {
    t = new Map();
    store.set(key, t);
  }
  return t;
}

const MAX_STAMPS = 20; // ip_pkt_list_tot default

function reapOne(table: Map<number, RecentEntry>, keep: number, since: number) {
  let oldest: [number, number] | undefined;
  for (const [a, e] of table) {
    if (a === keep) continue;
    const last = e.stamps[e.stamps.length - 1] ?? 0;
    if (!oldest || last < oldest[1]) oldest = [a, last];
  }
  if (oldest && oldest[1] < since) table.delete(oldest[0]);
}

/** --rcheck only reads its list (unless it reaps); --set, --update and --remove change it. */
const changesList = (d: RecentData) => d.op !== "rcheck" || d.reap;

const recent: MatchModule<RecentData> = {
  kind: "match",
  name: "recent",
  help: "--set|--rcheck|--update|--remove [--seconds N] [--hitcount N] [--reap] [--name N] [--rsource|--rdest] [--mask M]",
  options: [
    { name: "set", args: 0, negatable: true },
    { name: "rcheck", args: 0, negatable: true },
    { name: "update", args: 0, negatable: true },
    { name: "remove", args: 0, negatable: true },
    { name: "seconds" },
    { name: "reap", args: 0 },
    { name: "hitcount" },
    { name: "rttl", args: 0 },
    { name: "name" },
    { name: "mask" },
    { name: "rsource", args: 0 },
    { name: "rdest", args: 0 },
  ],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const ops = (["set", "rcheck", "update", "remove"] as Op[]).filter((o) => m.has(o));
    if (ops.length !== 1) ctx.reject("recent: you must specify one of `--set', `--rcheck', `--update' or `--remove'");
    const op = ops[0]!;
    const seconds = m.has("seconds") ? uintArg(m.get("seconds")!, ctx) : 0;
    const reap = m.has("reap");
    if (reap && !seconds) ctx.fail(m.get("reap")!.token, "recent: --reap requires --seconds");
    // libxt_recent takes any 32-bit hitcount; recent_mt_check refuses 65536 and more, and a
    // --set/--remove with a condition (all measured with iptables-nft-restore)
    const hitcount = m.has("hitcount") ? uintArg(m.get("hitcount")!, ctx) : 0;
    if (op === "set" && m.has("rttl")) ctx.fail(m.get("rttl")!.token, 'recent: option "--rttl" cannot be used together with "--set".');
    if ((op === "set" || op === "remove") && (seconds || hitcount || reap)) ctx.kernelReject(`recent: --${op} cannot be combined with --seconds, --hitcount or --reap`);
    if (hitcount >= 65536) ctx.kernelReject(`recent: hitcount (${hitcount}) is larger than allowed maximum (65535)`);
    let mask = 0xffffffff;
    const mu = m.get("mask");
    if (mu) {
      const v = parseIp(arg(mu, ctx));
      if (v === undefined) ctx.fail(mu.argTokens[0] ?? mu.token, `recent: bad netmask "${mu.args[0]}"`);
      mask = v;
    }
    return {
      op,
      neg: m.get(op)!.negated,
      name: m.has("name") ? arg(m.get("name")!, ctx) : "DEFAULT",
      seconds,
      reap,
      hitcount,
      rttl: m.has("rttl"),
      mask,
      side: m.has("rdest") ? "rdest" : "rsource",
    };
  },
  save(d) {
    const p: string[] = [];
    p.push(`${d.neg ? "! " : ""}--${d.op}`);
    if (d.seconds) p.push(`--seconds ${d.seconds}`);
    if (d.reap) p.push("--reap");
    if (d.hitcount) p.push(`--hitcount ${d.hitcount}`);
    if (d.rttl) p.push("--rttl");
    p.push(`--name ${d.name}`, `--mask ${formatIp(d.mask)}`, `--${d.side}`);
    return p.join(" ");
  },
  // libxt_recent recent_print
  list(d) {
    const op = { set: "SET", rcheck: "CHECK", update: "UPDATE", remove: "REMOVE" }[d.op];
    let s = `${d.neg ? "! " : ""}recent: ${op}`;
    if (d.seconds) s += ` seconds: ${d.seconds}`;
    if (d.reap) s += " reap";
    if (d.hitcount) s += ` hit_count: ${d.hitcount}`;
    if (d.rttl) s += " TTL-Match";
    s += ` name: ${d.name} side: ${d.side === "rsource" ? "source" : "dest"} mask: ${formatIp(d.mask)}`;
    return s;
  },
  effects: (d) => (changesList(d) ? "keeps-state" : undefined),
  test(d, env) {
    const { pkt, now, store } = env;
    const addr = ((d.side === "rsource" ? pkt.src : pkt.dst) & d.mask) >>> 0;
    // --rcheck only looks: a list nobody has written to yet is empty, not created
    const table = changesList(d) ? tableOf(store, d.name) : ((store.get(`recent:${d.name}`) as Map<number, RecentEntry> | undefined) ?? new Map<number, RecentEntry>());
    let ret = d.neg;
    // the TTL as it was before forwarding: a routed packet was decremented already (xt_recent:
    // an outgoing packet with no socket; the kernel's own answers have one)
    const ttl = pkt.oif !== undefined && pkt.uid === undefined && !pkt.kernelSocket ? (pkt.ttl + 1) & 0xff : pkt.ttl;
    const e = table.get(addr);
    const fail = (why: string) => ({ clause: `--${d.op} --name ${d.name}`, why });
    // an entry recorded with TTL 0 matches any TTL (measured: an address added through /proc)
    if (!e || (d.rttl && e.ttl !== 0 && e.ttl !== ttl)) {
      if (d.op !== "set") return ret ? null : fail(`${formatIp(addr)} is not in list ${d.name}`);
      table.set(addr, { stamps: [now], ttl });
      ret = !ret;
      return ret ? null : fail("negated --set");
    }
    let why = `${formatIp(addr)} is in list ${d.name}`;
    if (d.op === "set") ret = !ret;
    else if (d.op === "remove") {
      table.delete(addr);
      ret = !ret;
    } else if (d.seconds || d.hitcount) {
      const since = now - d.seconds * 1000;
      let hits = 0;
      for (const s of e.stamps) {
        if (d.seconds && s < since) continue;
        if (!d.hitcount || ++hits >= d.hitcount) {
          ret = !ret;
          break;
        }
      }
      if (ret === d.neg) why = d.hitcount ? `${hits} hits of ${d.hitcount} within ${d.seconds}s` : `last seen more than ${d.seconds}s ago`;
      // Linux: recent_entry_reap drops at most one other stale address (the least recently seen)
      if (d.reap) reapOne(table, addr, since);
    } else ret = !ret;
    // --set always records; --update records when the rule as a whole matched, so `! --update`
    // records an address seen too long ago and not one seen recently (measured)
    if (d.op === "set" || (d.op === "update" && ret)) {
      e.stamps.push(now);
      if (e.stamps.length > MAX_STAMPS) e.stamps.shift();
      e.ttl = ttl;
    }
    return ret ? null : fail(why);
  },
};
export default recent;
