/**
 * A ktrace session: the loaded source, the engine state, output preferences, and what has been
 * sent so far.
 *
 * Why: the REPL, `-e` scripts, stdin scripts, the Jupyter kernel and lessons all drive the same
 * session through the same commands, so state carries over identically everywhere.
 */
import { createEngine, rulesetNeedsConntrack, type EngineState } from "../engine/state.js";
import { walkPacket, type WalkResult } from "../engine/walk/packet-walk.js";
import type { Packet } from "../engine/model/packet.js";
import type { LoadedSource } from "../sources/load.js";
import type { Io } from "../sources/io.js";
import type { Dialect } from "../format/xtables-monitor.js";
import { formatXtablesMonitor } from "../format/xtables-monitor.js";
import { buildPacket, type PacketSpec } from "./packet-spec.js";
import { CommandError } from "./words.js";
import type { TraceEvent } from "../engine/trace/events.js";
import type { Chain, Rule } from "../engine/model/ruleset.js";
import { Stepper, type Breakpoint } from "./stepper.js";
import { RulesetNames, type ChainNames } from "../sources/k8s/index.js";
import type { PendingQuestion } from "../teach/pending.js";
import type { LessonMode } from "../teach/lesson-mode.js";
import { findInterface } from "../engine/model/node.js";
import { RuleNumbers } from "../engine/model/rule-numbers.js";
import { checkSets } from "../engine/parse/set-refs.js";
import { TcpPeers } from "./tcp-peers.js";
import { chainModules } from "../engine/model/loaded-chain.js";

export type Format = "xtables-monitor" | "explain" | "json";
export const FORMATS: Format[] = ["xtables-monitor", "explain", "json"];

export interface SentPacket {
  label: string;
  input: Packet;
  result: WalkResult;
}

export class Session {
  engine: EngineState;
  format: Format = "explain";
  dialect: Dialect = "modern";
  sent: SentPacket[] = [];
  /** The walks of the last KEEP_PACKETS packets that the kernel would have traced, for `trace`. */
  private traced: TraceEvent[][] = [];
  commandHistory: string[] = [];
  /** Packet and byte counters per rule and per base chain (its policy), as iptables -v shows them. */
  counters = new Map<Rule | Chain, [number, number]>();
  /** The walk of the last packet, as a cursor (step, next, back...). */
  stepper?: Stepper;
  breaks: Breakpoint[] = [];
  /** REPL: a new packet stops before its first step; scripts: it runs to its fate. */
  stepByStep = false;
  /** The checkpoint or exercise question `answer` replies to. */
  question?: PendingQuestion;
  /** Lesson mode (src/teach/lesson-mode.ts): the open lesson and the saved progress, made on first use. */
  lessons?: LessonMode;
  /** The TCP ends' sequence numbers: segments the user did not number get theirs from here. */
  peers = new TcpPeers();
  /** Long work (stats) asks this every so often and stops when it says yes: the Jupyter kernel's interrupt. */
  shouldStop?: () => boolean;

  constructor(
    public source: LoadedSource,
    public io: Io,
    public seed = 1,
  ) {
    checkSets(source.ruleset, source.node.ipsets);
    this.engine = createEngine(source.ruleset, source.node, seed);
  }

  /** Rule numbers by handle, counted once per chain (explain, where, the walk table). */
  readonly ruleNumbers = new RuleNumbers(() => this.engine.ruleset);
  private decoded?: ChainNames;
  /** Sorted chain names and hosts of the ruleset, for completion (complete.ts); forgotten when the rules change. */
  readonly completionWords = new Map<string, readonly string[]>();
  private tracing?: boolean;

  /** After `iptables` changed the ruleset: what depends on it is worked out again. */
  rulesChanged() {
    this.ruleNumbers.forget();
    this.completionWords.clear();
    this.decoded = undefined;
    this.tracing = undefined;
    this.engine.conntrackOn = rulesetNeedsConntrack(this.engine.ruleset);
  }

  /** Whether any rule of the loaded ruleset is a TRACE rule. */
  get hasTraceRule(): boolean {
    this.tracing ??= [...this.source.ruleset.tables.values()].some((t) => [...t.chains.values()].some((c) => chainModules(c).some((m) => m.kind === "target" && m.name === "TRACE")));
    return this.tracing;
  }

  load(source: LoadedSource) {
    checkSets(source.ruleset, source.node.ipsets);
    this.source = source;
    if (this.question?.endsOnLoad) this.question = undefined;
    this.completionWords.clear();
    this.decoded = undefined;
    this.tracing = undefined;
    this.reset();
  }

  /** What KUBE-* chains are: from the generator, else learned from kube-proxy's comments. */
  get names(): ChainNames {
    this.decoded ??= this.source.names ?? new RulesetNames(this.engine.ruleset);
    return this.decoded;
  }

  reset() {
    this.engine = createEngine(this.source.ruleset, this.source.node, this.seed);
    this.sent = [];
    this.traced = [];
    this.stepper = undefined;
    this.counters = new Map();
    this.peers.clear();
  }

  setSeed(seed: number) {
    this.seed = seed;
    this.reset();
  }

  /** Advance the simulated clock (conntrack timeouts, recent, limit). */
  tick(ms: number) {
    this.engine.now += ms;
  }

  /** The packet a spec describes; `numbered`: TCP numbers from the sending end (not for stats' throwaway connections). */
  packetFromSpec(spec: PacketSpec, numbered = true, answering?: Packet): Packet {
    if (spec.iif !== undefined && !this.engine.node.interfaces.some((i) => i.name === spec.iif))
      throw new CommandError(`no interface ${spec.iif} on this node`, undefined, `interfaces: ${this.engine.node.interfaces.map((i) => i.name).join(", ")}`);
    const min = spec.proto === "tcp" ? 40 : spec.proto === "icmp" ? 28 : spec.proto === "udp" ? 28 : 32;
    if (spec.len !== undefined && spec.len < min) throw new CommandError(`len ${spec.len} is shorter than the IP and ${spec.proto} headers (${min} bytes)`);
    const id = spec.id ?? this.engine.nextIpId;
    if (spec.id === undefined) this.engine.nextIpId = (this.engine.nextIpId + 1) & 0xffff;
    const pkt = buildPacket(spec, id, this.engine.rng.u32());
    if (numbered) this.peers.number(pkt, spec, this.engine.now, answering);
    if (pkt.iif) {
      const dev = findInterface(this.engine.node, pkt.iif);
      pkt.macDst = dev?.mac;
      // a sender addresses a broadcast to ff:ff:ff:ff:ff:ff and a multicast group to 01:00:5e:…:
      // eth_type_trans turns that into the packet type `-m pkttype` sees
      const subnetBroadcast = this.engine.node.routes.some((r) => r.table === 255 && r.type === "broadcast" && r.dev === pkt.iif && r.dst.prefix === 32 && r.dst.addr === pkt.dst);
      if (pkt.dst === 0xffffffff || subnetBroadcast) {
        pkt.macDst = "ff:ff:ff:ff:ff:ff";
        pkt.pktType = "broadcast";
      } else if (pkt.dst >>> 28 === 0xe) {
        pkt.macDst = `01:00:5e:${[(pkt.dst >>> 16) & 0x7f, (pkt.dst >>> 8) & 0xff, pkt.dst & 0xff].map((b) => b.toString(16).padStart(2, "0")).join(":")}`;
        pkt.pktType = "multicast";
      }
    }
    return pkt;
  }

  send(pkt: Packet, label: string, collectMisses = true): SentPacket {
    const result = walkPacket(this.engine, pkt, { collectMisses });
    const s = { label, input: pkt, result };
    this.sent.push(s);
    this.peers.received(result);
    if (result.events.some(wasTraced)) this.traced.push(result.events);
    // a long session stays flat: only the last packets' walks are kept (in pairs of KEEP_PACKETS,
    // so trimming is rare and a connection's few packets are never cut apart)
    if (this.sent.length >= 2 * KEEP_PACKETS) this.sent.splice(0, this.sent.length - KEEP_PACKETS);
    if (this.traced.length >= 2 * KEEP_PACKETS) this.traced.splice(0, this.traced.length - KEEP_PACKETS);
    this.count(result.events, pkt.len);
    this.engine.now += 1; // a millisecond between packets
    this.stepper = new Stepper(s);
    this.stepper.chainIndex = (t, c, h) => this.ruleNumbers.of(t, c, h);
    if (!this.stepByStep) this.stepper.step(this.stepper.stops.length);
    return s;
  }

  /**
   * The counters as of the cursor: a packet being stepped through has not passed the rules after
   * it yet (the walk was computed, and counted, at once). What `iptables -L -v`, `show chain` and
   * the notebook's tables read, as `show conntrack` leaves out a connection not confirmed yet.
   */
  countersAtCursor(): Map<Rule | Chain, [number, number]> {
    const st = this.stepper;
    if (!st || st.done) return this.counters;
    const later = st.events.slice(st.pos < 0 ? 0 : st.stops[st.pos]! + 1);
    const view = new Map(this.counters);
    this.count(later, st.sent.input.len, view, -1);
    return view;
  }

  /** Adds (or, with sign -1, takes back) one packet for each rule a walk matched and each policy it took. */
  private count(events: TraceEvent[], len: number, into = this.counters, sign: 1 | -1 = 1) {
    const bump = (k: Rule | Chain) => {
      const c = into.get(k) ?? [0, 0];
      // never below zero: the counters may have been reset since the packet was sent
      into.set(k, [Math.max(0, c[0] + sign), Math.max(0, c[1] + sign * len)]);
    };
    for (const e of events) {
      if (e.kind === "rule") bump(e.rule);
      else if (e.kind === "policy") {
        const chain = this.engine.ruleset.tables.get(e.table)?.chains.get(e.chain);
        if (chain) bump(chain);
      } else if (e.kind === "spawned") this.count(e.events, e.pkt.len, into, sign);
    }
  }

  /** The events `trace` prints: the traced walks of the last packets (KEEP_PACKETS), in order. */
  get traceEvents(): TraceEvent[] {
    return this.traced.flat();
  }

  /**
   * A walk in the kernel's trace format or as JSON. Explain is not text first: commands build a
   * WalkDisplay and draw it (format/explain.ts walkText), as every front end does.
   */
  render(events: TraceEvent[]): string {
    return this.format === "json" ? JSON.stringify(events, jsonReplacer) : formatXtablesMonitor(events, this.dialect).join("\n");
  }
}

/** How many sent packets (and traced walks) a session keeps: `history`, `trace`, `reply` read them. */
export const KEEP_PACKETS = 256;

const wasTraced = (e: TraceEvent): boolean => ("traced" in e && e.traced) || (e.kind === "spawned" && e.events.some(wasTraced));

/** Events as plain JSON: rules by table/chain/handle/text, addresses as dotted quads. */
export function jsonReplacer(key: string, value: unknown): unknown {
  if (key === "rule" && value && typeof value === "object" && "handle" in value) {
    const r = value as { table: string; chain: string; handle: number; text: string };
    return { table: r.table, chain: r.chain, handle: r.handle, text: r.text };
  }
  if ((key === "src" || key === "dst" || key === "via") && typeof value === "number") {
    return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
  }
  if (value && typeof value === "object" && (value as { kind?: string }).kind === "misses") {
    // a run the dispatch index skipped: its place in the chain, not 10,000 rules written out
    const { chainRules, first, count, ...rest } = value as { chainRules: readonly { handle: number }[]; first: number; count: number };
    return { ...rest, first, last: first + count - 1, count, firstHandle: chainRules[first - 1]?.handle, lastHandle: chainRules[first + count - 2]?.handle };
  }
  if (key === "module" || key === "data") return undefined;
  return value;
}

