/**
 * One packet through the node: routing, each hook's stages in priority order, conntrack, NAT,
 * the forwarding decision, and the packet's fate.
 *
 * Why: this is the kernel's IPv4 path (ip_output / ip_rcv / ip_forward / ip_local_deliver) with
 * netfilter's hooks, as ktrace's single source of truth. Kernel behaviours kept on purpose:
 * - OUTPUT's out-device is fixed when the hook starts, even after a reroute (the article's
 *   filter:OUTPUT shows OUT=enp3s0 while POSTROUTING shows OUT=vxlan.calico);
 * - nat chains run only for a connection's first packet; afterwards the entry rewrites;
 * - nat chains do not run at all when nothing in the ruleset switched conntrack on;
 * - FORWARD and later see the TTL already decremented;
 * - a packet to a local address loops back through lo (PREROUTING/INPUT) keeping its conntrack.
 */
import type { Packet } from "../model/packet.js";
import { clonePacket } from "../model/packet.js";
import type { EngineState } from "../state.js";
import { HOOK_STAGES, type Hook } from "./hooks.js";
import { runTable, type ChainWalkEnv, type TableRun } from "./chain-walk.js";
import { DISPATCH_MIN_RULES } from "./dispatch-index.js";
import type { Fate, TraceEvent } from "../trace/events.js";
import { deliversLocally, routeLookup, type RouteResult } from "../route/lookup.js";
import { confirm, conntrackIn, ctConfigOf } from "../conntrack/table.js";
import { copyEntry, type CtView } from "../conntrack/entry.js";
import { applyNat, natInitialized, setupNat, type Manip } from "../conntrack/nat.js";
import type { MatchEnv, NatRange, StateStore, TargetEnv } from "../ext/types.js";
import type { Rng } from "../rng.js";
import { formatIp } from "../model/ipv4.js";
import type { TableName } from "../model/ruleset.js";
import { attachFor, icmpError, noAnswerTo, rejectReply } from "./reject-reply.js";
import { icmpRateLimited } from "./icmp-ratelimit.js";
import { addrType } from "../route/addr-type.js";
import { findInterface, type NodeModel } from "../model/node.js";
import { sysctlOf } from "../model/sysctls.js";

export interface WalkOptions {
  /** Record rules that did not match (explain mode). */
  collectMisses?: boolean;
  /**
   * Skip, untested, the rules of long chains that the dispatch index proves the packet misses
   * (recorded as one `misses` event). Default: chains of DISPATCH_MIN_RULES rules or more;
   * false: test every rule, the reference walk.
   */
  dispatchMinRules?: number | false;
  /**
   * Record only what decides: rule verdicts and the fate — no routing, conntrack, NAT or
   * per-table snapshots (stats counts endpoints and fates over many thousand walks).
   */
  lean?: boolean;
  /** A packet the node generated for another (REJECT): its conntrack view is given, not looked up. */
  attach?: CtView;
  generated?: boolean;
}

export interface WalkResult {
  events: TraceEvent[];
  fate: Fate;
  pkt: Packet;
  ct?: CtView;
}

interface Walk {
  eng: EngineState;
  pkt: Packet;
  events: TraceEvent[];
  ct?: CtView;
  fresh: boolean;
  notrack: boolean;
  zone: number;
  route?: RouteResult;
  opts: WalkOptions;
}

export function walkPacket(eng: EngineState, input: Packet, opts: WalkOptions = {}): WalkResult {
  const w: Walk = { eng, pkt: clonePacket(input), events: [], fresh: false, notrack: false, zone: 0, opts, ct: opts.attach };
  if (input.iif === undefined && !opts.generated) rememberSocket(eng, input);
  const fate = input.iif === undefined ? localOut(w) : incoming(w, input.iif);
  w.events.push({ kind: "fate", fate, pkt: clonePacket(w.pkt) });
  return { events: w.events, fate, pkt: w.pkt, ct: w.ct };
}

function route(w: Walk, why: "output" | "reroute" | "input", iif?: string): RouteResult {
  // a node's packet first routes as a socket that did not bind its source: the kernel looks up
  // without one and picks it. When that is not the packet's source, the socket was bound to it.
  let query = { dst: w.pkt.dst, src: why === "output" ? undefined : w.pkt.src || undefined, iif, mark: w.pkt.mark, tos: w.pkt.tos };
  let result = routeLookup(w.eng.node, query);
  if (w.pkt.src && query.src === undefined && result.src !== w.pkt.src) {
    query = { ...query, src: w.pkt.src };
    result = routeLookup(w.eng.node, query);
  }
  if (!w.opts.lean) w.events.push({ kind: "route", why, query, result });
  return result;
}

function unroutable(r: RouteResult): Fate {
  const reason =
    r.outcome === "no-route" ? "no route to the destination (Network is unreachable)"
    : r.outcome === "unreachable" ? "unreachable route (No route to host)"
    : r.outcome === "prohibit" ? "prohibit route (Permission denied)"
    : r.outcome === "mc-not-joined" ? "multicast group not joined here and no multicast routing (Invalid argument): dropped"
    : "blackhole route (silently discarded)";
  return { kind: "unroutable", reason };
}

function localOut(w: Walk): Fate {
  const r = route(w, "output");
  if (r.outcome !== "unicast" && r.outcome !== "local" && r.outcome !== "broadcast") return unroutable(r);
  if (!w.pkt.src) w.pkt.src = r.src ?? 0;
  w.route = r;
  const hookOut = r.outcome === "local" ? "lo" : r.dev!;
  w.pkt.oif = hookOut;
  const out = runHook(w, "OUTPUT", undefined, hookOut);
  if (out) return out;
  const dev = w.route.outcome === "local" ? "lo" : w.route.dev!;
  w.pkt.oif = dev;
  const post = runHook(w, "POSTROUTING", undefined, dev);
  if (post) return post;
  if (w.route.outcome === "local") {
    // loopback: back in through lo with its conntrack, a new trace id
    w.pkt.iif = "lo";
    w.pkt.oif = undefined;
    w.pkt.traceId = w.eng.rng.u32();
    return incoming(w, "lo", true);
  }
  return { kind: "sent", iface: dev, nexthop: w.route.via !== undefined ? formatIp(w.route.via) : undefined };
}

/** The stack's own ICMP error about the packet (icmp_send), walked as a packet of its own. */
function spawnIcmpError(w: Walk, type: number, code: number, reason: string): Packet | undefined {
  if (w.opts.generated) return undefined;
  const answer = icmpError(w.eng.node, w.pkt, type, code, w.eng.rng.u32() & 0xffff, w.eng.rng.u32());
  return answer && spawn(w, answer, reason) ? answer : undefined;
}

/**
 * Delivered to a port no socket listens on (when the node's sockets are known): the stack answers
 * after INPUT — tcp_v4_send_reset, looked up by conntrack as the connection's reply (ESTABLISHED),
 * or icmp_send(ICMP_PORT_UNREACH), RELATED (kernel scenario 34). Packets in a connection's reply
 * direction belong to a socket of ours and are never answered.
 */
const SOCKETS = "sockets:ours";
const socketKey = (proto: string, addr: number, port: number) => `${proto} ${addr} ${port}`;

/** A packet the node sends itself comes from a socket, which later receives the answers. */
function rememberSocket(eng: EngineState, p: Packet): void {
  if (p.proto !== "tcp" && p.proto !== "udp") return;
  let mine = eng.store.get(SOCKETS) as Map<string, true> | undefined;
  if (!mine) eng.store.set(SOCKETS, (mine = new Map()));
  mine.set(socketKey(p.proto, p.src, p.sport), true);
}

function answerClosedPort(w: Walk): void {
  const listeners = w.eng.node.listeners;
  const p = w.pkt;
  if (!listeners || w.opts.generated || (p.proto !== "tcp" && p.proto !== "udp")) return;
  if (w.ct?.dir === "REPLY") return;
  const mine = w.eng.store.get(SOCKETS) as Map<string, true> | undefined;
  if (mine?.has(socketKey(p.proto, p.dst, p.dport))) return;
  if (listeners.some((l) => l.proto === p.proto && l.port === p.dport && (l.addr === 0 || l.addr === p.dst))) return;
  const where = `${p.proto} ${formatIp(p.dst)}:${p.dport}`;
  if (p.proto === "tcp") {
    const rst = rejectReply(w.eng.node, p, "tcp-reset", 0, w.eng.rng.u32());
    // tcp_v4_send_reset sends from the kernel's TCP control socket, not REJECT's socketless reset
    if (rst) spawn(w, { ...rst, kernelSocket: true }, `no socket listens on ${where}: the stack's reset`, "lookup");
  } else {
    const err = icmpError(w.eng.node, p, 3, 3, w.eng.rng.u32() & 0xffff, w.eng.rng.u32());
    if (err) spawn(w, err, `no socket listens on ${where}: port unreachable`);
  }
}

/**
 * Walks a packet the node sends in answer to this one; false when icmp_send's rate limit stops it.
 * "related": it carries this packet's conntrack as nf_ct_attach gives it (RELATED, the other
 * direction); "lookup": conntrack finds it like any packet (the stack's own reset).
 */
function spawn(w: Walk, answer: Packet, reason: string, conntrack: "related" | "lookup" = "related"): boolean {
  const limited = icmpRateLimited(w.eng.node, w.eng.store, w.eng.now, answer);
  if (limited) {
    w.events.push({ kind: "suppressed", reason, pkt: answer, why: limited });
    return false;
  }
  const attach = conntrack === "related" && w.eng.conntrackOn ? attachFor(w.ct) : undefined;
  const r = walkPacket(w.eng, answer, { collectMisses: w.opts.collectMisses, dispatchMinRules: w.opts.dispatchMinRules, attach, generated: true });
  w.events.push({ kind: "spawned", reason, pkt: answer, events: r.events, fate: r.fate });
  return true;
}

function incoming(w: Walk, iif: string, looped = false): Fate {
  w.pkt.iif = iif;
  const pre = runHook(w, "PREROUTING", iif, undefined, looped);
  if (pre) return pre;
  const r = route(w, "input", iif);
  w.route = r;
  const martian = looped ? undefined : sourceCheck(w, iif);
  if (martian) return { kind: "unroutable", reason: martian };
  if (deliversLocally(r.outcome)) {
    const inp = runHook(w, "INPUT", iif, undefined);
    if (inp) return inp;
    if (r.outcome === "local") answerClosedPort(w);
    return { kind: "delivered", iface: iif };
  }
  if (r.outcome !== "unicast") return unroutable(r);
  if (sysctlOf(w.eng.node, "net.ipv4.ip_forward") !== "1")
    return { kind: "not-forwarded", reason: "net.ipv4.ip_forward is 0: the packet is not for this node and forwarding is off" };
  if (w.pkt.ttl <= 1) {
    // Linux: ip_forward → icmp_send(ICMP_TIME_EXCEEDED, ICMP_EXC_TTL), before the FORWARD hook
    const answer = spawnIcmpError(w, 11, 0, "TTL exceeded in transit");
    return { kind: "not-forwarded", reason: answer ? "TTL exceeded (ICMP time-exceeded sent back)" : w.pkt.proto === "icmp" && w.pkt.icmpType !== 8 && w.pkt.icmpType !== 13 ? "TTL exceeded (no ICMP error about an ICMP error)" : "TTL exceeded (the ICMP error is rate-limited)" };
  }
  const dev = r.dev!;
  const mtu = findInterface(w.eng.node, dev)?.mtu ?? 1500;
  // Linux: ip_forward checks the MTU before it decrements the TTL, and answers with
  // icmp_send(ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED) — no FORWARD hook
  if (w.pkt.df && w.pkt.len > mtu) {
    const answer = spawnIcmpError(w, 3, 4, "fragmentation needed");
    return { kind: "not-forwarded", reason: `packet too big: ${w.pkt.len} bytes with DF set, ${dev} has MTU ${mtu}${answer ? " (ICMP fragmentation-needed sent back)" : ""}` };
  }
  w.events.push({ kind: "ttl", from: w.pkt.ttl, to: w.pkt.ttl - 1 });
  w.pkt.ttl -= 1; // Linux: ip_forward decrements before NF_INET_FORWARD
  w.pkt.oif = dev;
  const fwd = runHook(w, "FORWARD", iif, dev);
  if (fwd) return fwd;
  const post = runHook(w, "POSTROUTING", iif, dev);
  if (post) return post;
  return { kind: "sent", iface: dev, nexthop: r.via !== undefined ? formatIp(r.via) : undefined };
}

/**
 * Linux: fib_validate_source in ip_route_input_slow — a packet claiming one of our own addresses
 * as its source is a martian (even with rp_filter off), and rp_filter 1/2 want the source to be
 * reachable back through the input interface (strict) or at all (loose).
 */
function sourceCheck(w: Walk, iif: string): string | undefined {
  const node = w.eng.node;
  const src = w.pkt.src;
  if (addrType(node, src) === "LOCAL" && sysctlOf(node, "net.ipv4.conf.all.accept_local") === "0")
    return `martian source ${formatIp(src)}: it is one of this node's own addresses, arriving on ${iif}`;
  const mode = Math.max(Number(sysctlOf(node, "net.ipv4.conf.all.rp_filter")), Number(sysctlOf(node, `net.ipv4.conf.${iif}.rp_filter`)));
  if (mode === 0) return undefined;
  const back = routeLookup(node, { dst: src, src: w.pkt.dst, mark: w.pkt.mark });
  if (back.outcome !== "unicast" && back.outcome !== "local") return `rp_filter=${mode}: no route back to ${formatIp(src)}`;
  if (mode === 1 && back.dev !== iif) return `rp_filter=1 (strict): the route back to ${formatIp(src)} leaves by ${back.dev}, not ${iif}`;
  return undefined;
}

/** Runs every stage of a hook; returns a fate when the packet ends here. */
function runHook(w: Walk, hook: Hook, inIf: string | undefined, outIf: string | undefined, looped = false): Fate | undefined {
  const rs = w.eng.ruleset;
  for (const stage of HOOK_STAGES[hook]) {
    if (stage.kind === "conntrack") {
      if (looped) continue; // the loopback packet still carries its entry
      conntrackStage(w, hook);
      continue;
    }
    if (stage.kind === "confirm") {
      const e = w.ct?.entry;
      if (e && w.fresh) {
        confirm(w.eng.conntrack, e);
        w.fresh = false;
        if (!w.opts.lean) w.events.push({ kind: "confirm", hook, entry: snapshotEntry(e) });
      }
      continue;
    }
    const tname = stage.table!;
    const table = rs.tables.get(tname);
    // Linux: once any nat chain exists, the NAT core hooks every hook (nf_nat_register_fn), so
    // bindings are applied even where the nat table has no chain of its own
    if (!table || (!table.chains.has(hook) && tname !== "nat")) continue;
    // what ip_route_me_harder compares with after mangle and nat OUTPUT
    const before = hook === "OUTPUT" && (tname === "mangle" || tname === "nat") ? { dst: w.pkt.dst, src: w.pkt.src, mark: w.pkt.mark, tos: w.pkt.tos } : undefined;
    const run: TableRun | undefined = tname === "nat" ? natStage(w, hook, inIf, outIf) : runTable(table, chainEnv(w, hook, inIf, outIf, tname));
    if (run && !w.opts.lean) w.events.push({ kind: "table-done", hook, table: tname, pkt: clonePacket(w.pkt), outIf, verdict: run.verdict });
    if (run?.verdict === "DROP") {
      if (run.rejectWith && run.rule) return { kind: "rejected", with: run.rejectWith, hook, table: tname, chain: run.chain, rule: run.rule };
      return { kind: "dropped", by: run.rule ? "rule" : "policy", hook, table: tname, chain: run.chain, rule: run.rule };
    }
    if (before) {
      // Linux: ip_route_me_harder after mangle OUTPUT changes (mark, addresses, tos) or a DNAT
      const changed = before.dst !== w.pkt.dst || before.src !== w.pkt.src || before.mark !== w.pkt.mark || before.tos !== w.pkt.tos;
      const natChanged = tname === "nat" && before.dst !== w.pkt.dst;
      if ((tname === "mangle" && changed) || natChanged) {
        const r = route(w, "reroute");
        if (r.outcome !== "unicast" && r.outcome !== "local" && r.outcome !== "broadcast") return unroutable(r);
        w.route = r;
      }
    }
  }
  return undefined;
}

function conntrackStage(w: Walk, hook: Hook) {
  if (!w.eng.conntrackOn) return;
  if (w.opts.attach) {
    // nf_ct_attach: the generated packet already carries its conntrack
    w.events.push({ kind: "conntrack", hook, view: w.opts.attach, created: false });
    return;
  }
  if (w.notrack) {
    w.ct = { dir: "ORIGINAL", state: "UNTRACKED" };
    w.events.push({ kind: "conntrack", hook, view: w.ct, created: false });
    return;
  }
  const { view, fresh } = conntrackIn(w.eng.conntrack, w.pkt, w.eng.now, w.zone, ctConfigOf(w.eng.node.sysctl));
  w.ct = view;
  w.fresh = fresh;
  if (!w.opts.lean) w.events.push({ kind: "conntrack", hook, view: view.entry ? { ...view, entry: snapshotEntry(view.entry) } : view, created: fresh });
}

/** Entries change as the connection goes on; events keep the entry as it was at that moment. */
const snapshotEntry = copyEntry;

/** Linux: nf_nat_inet_fn — the nat table runs only for a new connection's first packet. */
function natStage(w: Walk, hook: Hook, inIf: string | undefined, outIf: string | undefined): TableRun | undefined {
  const manip: Manip = hook === "PREROUTING" || hook === "OUTPUT" ? "DST" : "SRC";
  const e = w.ct?.entry;
  if (!w.eng.conntrackOn || !e) {
    w.events.push({ kind: "nat-skip", hook, reason: !w.eng.conntrackOn ? "conntrack is not active in this ruleset (no rule uses it), so the nat table never runs" : "packet is not tracked (UNTRACKED/INVALID): no NAT" });
    return undefined;
  }
  let run: TableRun | undefined;
  // Linux: nf_nat_inet_fn runs the chains for a new connection's first packet — and for a
  // RELATED packet other than an ICMP error (REJECT's reset) whose manip is not set up yet
  const first = (w.ct!.dir === "ORIGINAL" && w.ct!.state === "NEW") || (w.ct!.state === "RELATED" && w.pkt.proto !== "icmp");
  if (first && !natInitialized(e, manip)) {
    const table = w.eng.ruleset.tables.get("nat")!;
    if (table.chains.has(hook)) run = runTable(table, chainEnv(w, hook, inIf, outIf, "nat"));
    if (!natInitialized(e, manip)) setupNat(w.eng.conntrack, e, manip, undefined, w.eng.rng);
  } else {
    w.events.push({ kind: "nat-skip", hook, reason: w.ct!.dir === "REPLY" ? "a reply: translated from the conntrack entry" : "not the connection's first packet: translated from the conntrack entry" });
  }
  const from = w.opts.lean ? w.pkt : clonePacket(w.pkt);
  if (run?.verdict !== "DROP" && applyNat(e, w.ct!.dir, manip, w.pkt) && !w.opts.lean) {
    w.events.push({ kind: "nat", hook, manip, dir: w.ct!.dir, from, to: clonePacket(w.pkt), how: run ? "rule" : "conntrack", rule: run?.rule, entry: snapshotEntry(e) });
  }
  return run;
}

function chainEnv(w: Walk, hook: Hook, inIf: string | undefined, outIf: string | undefined, table: TableName): ChainWalkEnv {
  return new TableRunEnv(w, hook, inIf, outIf, table);
}

/** One table run's view of the walk (a class: one is made for every table a packet goes through). */
class TableRunEnv implements ChainWalkEnv {
  readonly pkt: Packet;
  readonly events: TraceEvent[];
  readonly collectMisses: boolean;
  readonly lean: boolean | undefined;
  readonly dispatchMinRules: number | false;
  readonly matchEnv: MatchEnv;
  targetEnv?: TargetEnv;
  rejected?: string;

  constructor(
    private readonly w: Walk,
    readonly hook: Hook,
    readonly inIf: string | undefined,
    readonly outIf: string | undefined,
    private readonly table: TableName,
  ) {
    this.pkt = w.pkt;
    this.events = w.events;
    this.collectMisses = w.opts.collectMisses ?? true;
    this.lean = w.opts.lean;
    this.dispatchMinRules = w.opts.dispatchMinRules ?? DISPATCH_MIN_RULES;
    this.matchEnv = { pkt: w.pkt, hook, table, ct: w.ct, node: w.eng.node, rng: w.eng.rng, now: w.eng.now, store: w.eng.store };
  }

  makeTargetEnv(): TargetEnv {
    return new WalkTargetEnv(this.w, this, this.matchEnv, this.hook, this.inIf, this.outIf, this.table);
  }
}

/**
 * What a target may do, for one table run. A class (methods shared, fields set once), not an
 * object of closures: one is made for most table runs of every packet, and `stats` makes millions.
 */
class WalkTargetEnv implements TargetEnv {
  readonly pkt: Packet;
  readonly ct: CtView | undefined;
  readonly node: NodeModel;
  readonly rng: Rng;
  readonly now: number;
  readonly store: StateStore;
  /** where the packet goes next (MASQUERADE picks its address for it): fixed within a table run */
  readonly nextHop: number;

  constructor(
    private readonly w: Walk,
    private readonly env: ChainWalkEnv,
    matchEnv: MatchEnv,
    readonly hook: Hook,
    readonly inIf: string | undefined,
    readonly outIf: string | undefined,
    readonly table: TableName,
  ) {
    this.pkt = matchEnv.pkt;
    this.ct = matchEnv.ct;
    this.node = matchEnv.node;
    this.rng = matchEnv.rng;
    this.now = matchEnv.now;
    this.store = matchEnv.store;
    this.nextHop = w.route?.via ?? w.pkt.dst;
  }

  nat(manip: "DST" | "SRC", range: NatRange): "accept" | "drop" {
    const e = this.w.ct?.entry;
    if (!e) return "drop";
    setupNat(this.w.eng.conntrack, e, manip, range, this.w.eng.rng);
    return "accept";
  }

  notrack(): void {
    this.w.notrack = true;
  }

  setZone(z: number): void {
    this.w.zone = z;
  }

  reject(kind: string): void {
    const w = this.w;
    this.env.rejected = kind;
    if (w.opts.generated) return;
    const answer = rejectReply(w.eng.node, w.pkt, kind, w.eng.rng.u32() & 0xffff, w.eng.rng.u32());
    if (!answer) return;
    const refused = noAnswerTo(w.eng.node, w.pkt);
    if (refused) w.events.push({ kind: "suppressed", reason: `REJECT --reject-with ${kind}`, pkt: answer, why: refused });
    else spawn(w, answer, `REJECT --reject-with ${kind}`);
  }

  log(target: string, text: string): void {
    this.w.events.push({ kind: "log", hook: this.hook, table: this.table, target, text });
  }
}
