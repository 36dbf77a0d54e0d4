/**
 * Stepping through a packet's walk: a cursor over its events, breakpoints, and the state of the
 * packet at the cursor.
 *
 * Why: the walk is deterministic, so stepping needs no paused engine — the events are computed
 * once from a copy of the state, and the position at every stop is read from them once; moving
 * forward or `back` only moves an index.
 * The packet at a position is the last snapshot the engine recorded before it (a target that
 * changed it, a NAT rewrite, the TTL decrement), so `show state` is exact at every step.
 */
import type { TraceEvent } from "../engine/trace/events.js";
import type { Packet } from "../engine/model/packet.js";
import type { CtView } from "../engine/conntrack/entry.js";
import type { Hook } from "../engine/walk/hooks.js";
import { missesHandle } from "../engine/walk/chain-walk.js";
import type { TableName } from "../engine/model/ruleset.js";
import type { SentPacket } from "./session.js";
import { deliversLocally } from "../engine/route/lookup.js";

/** The events a step may stop at, once: the type and the check read the same list. */
const STOP_KINDS = ["rule", "nomatch", "misses", "policy", "return", "nat", "nat-skip", "route", "conntrack", "ttl", "fate", "confirm"] as const;
export type StopEvent = Extract<TraceEvent, { kind: (typeof STOP_KINDS)[number] }>;
const isStopKind = (k: string): boolean => (STOP_KINDS as readonly string[]).includes(k);

export type Breakpoint =
  | { kind: "chain"; chain: string; table?: TableName }
  | { kind: "table"; table: TableName; hook?: Hook }
  | { kind: "rule"; table: TableName; chain: string; index: number; handle: number }
  | { kind: "verdict"; verdict: string }
  | { kind: "hook"; hook: Hook }
  /** conntrack gives the packet this state (INVALID: a segment outside the window, a lone ACK...) */
  | { kind: "ctstate"; state: string };

export interface Position {
  hook?: Hook;
  table?: TableName;
  chain?: string;
  ruleIndex?: number; // 1-based position in the chain
  stack: string[]; // chains from the base chain down to the current one
  pkt: Packet;
  outIf?: string;
  /** routed to the node itself (arrived, not forwarded): there is no output interface */
  delivered?: true;
  ct?: CtView;
  event?: StopEvent;
}

/** Where a position is, as the status line says it: "OUTPUT ▸ raw ▸ OUTPUT → cali-OUTPUT ▸ rule #3". */
export function positionPath(p: Position): string {
  return [p.hook, p.table, p.stack.join(" → ") || p.chain, p.ruleIndex ? `rule #${p.ruleIndex}` : undefined].filter(Boolean).join(" ▸ ");
}

export class Stepper {
  /** Indices into `sent.result.events` where a step may stop. */
  readonly stops: number[];
  /** Index into `stops`; -1 = before the first step. */
  pos = -1;

  constructor(readonly sent: SentPacket) {
    this.stops = [];
    sent.result.events.forEach((e, i) => {
      if (e.kind === "return" && e.depth === 0) return; // the base chain's end is shown by its policy
      if (isStopKind(e.kind)) this.stops.push(i);
    });
  }

  get events(): TraceEvent[] {
    return this.sent.result.events;
  }

  get done(): boolean {
    return this.pos >= this.stops.length - 1;
  }

  current(): StopEvent | undefined {
    return this.pos < 0 ? undefined : (this.events[this.stops[this.pos]!] as StopEvent);
  }

  /** The events between the previous position and the new one (inclusive of the new). */
  private moveTo(pos: number): TraceEvent[] {
    const from = this.pos < 0 ? 0 : this.stops[this.pos]! + 1;
    this.pos = Math.max(-1, Math.min(pos, this.stops.length - 1));
    const to = this.pos < 0 ? 0 : this.stops[this.pos]! + 1;
    return from < to ? this.events.slice(from, to) : [];
  }

  step(n = 1): TraceEvent[] {
    return this.moveTo(this.pos + n);
  }

  back(n = 1): void {
    this.moveTo(this.pos - n);
  }

  /** To the next stop in another chain or table. */
  next(): TraceEvent[] {
    const cur = this.current();
    const key = (e: StopEvent | undefined) => (e && "chain" in e ? `${e.hook} ${e.table} ${e.chain}` : e?.kind);
    let p = this.pos + 1;
    while (p < this.stops.length - 1 && key(this.events[this.stops[p]!] as StopEvent) === key(cur)) p++;
    return this.moveTo(p);
  }

  /** To the last stop of the current hook. */
  finish(): TraceEvent[] {
    const hook = this.position().hook;
    let p = this.pos + 1;
    while (p < this.stops.length - 1) {
      const e = this.events[this.stops[p + 1]!] as StopEvent;
      const h = "hook" in e ? e.hook : undefined;
      if (hook && h && h !== hook) break;
      p++;
    }
    return this.moveTo(p);
  }

  /** To the fate, or the next stop that hits a breakpoint. */
  continue(breaks: Breakpoint[]): { events: TraceEvent[]; hit?: number } {
    for (let p = this.pos + 1; p < this.stops.length; p++) {
      const e = this.events[this.stops[p]!] as StopEvent;
      const prev = p > 0 ? (this.events[this.stops[p - 1]!] as StopEvent) : undefined;
      const hit = breaks.findIndex((b) => matchesBreak(b, e, prev));
      if (hit >= 0) return { events: this.moveTo(p), hit };
    }
    return { events: this.moveTo(this.stops.length - 1) };
  }

  /** Where the cursor is: hook, table, chain, rule, the jump stack and the packet at that point. */
  position(): Position {
    const at = this.pos < 0 ? this.before() : this.positions()[this.pos]!;
    return { ...at, stack: [...at.stack], event: this.current() };
  }

  /** Before the first step: the packet as sent. */
  private before(): Position {
    return { stack: [], pkt: this.sent.input, outIf: this.sent.input.oif };
  }

  private atStops?: Position[];

  /**
   * The position at every stop, read from the events once (the first time one is asked for):
   * `where`, rendering and each keystroke's status line then cost O(1), however long the walk —
   * a packet through 10,000 KUBE-SERVICES rules has 10,000 stops.
   */
  private positions(): Position[] {
    if (this.atStops) return this.atStops;
    const evs = this.events;
    let pkt: Packet = this.sent.input;
    let ct: CtView | undefined;
    let outIf = this.sent.input.oif;
    let delivered = false;
    let where: Partial<Position> = {};
    const stack: string[] = [];
    const out: Position[] = [];
    let next = 0;
    for (let i = 0; i < evs.length && next < this.stops.length; i++) {
      const e = evs[i]!;
      switch (e.kind) {
        case "rule":
          if (e.after) pkt = e.after;
          break;
        case "nat":
          pkt = e.to;
          if (ct) ct = { ...ct, entry: e.entry };
          break;
        case "confirm":
          if (ct) ct = { ...ct, entry: e.entry };
          break;
        case "table-done":
          pkt = e.pkt;
          outIf = e.outIf ?? outIf;
          break;
        case "conntrack":
          ct = e.view;
          break;
        case "ttl":
          pkt = { ...pkt, ttl: e.to };
          break;
        case "packet":
          pkt = e.pkt;
          outIf = e.outIf ?? outIf;
          break;
        case "route": {
          // arriving and not forwarded — delivered to the node, or not routable — the packet has
          // no output interface, whatever device the lookup names (a local route's is the input one)
          const stays = e.why === "input" && e.result.outcome !== "unicast";
          delivered = stays && deliversLocally(e.result.outcome);
          if (stays) outIf = undefined;
          else if (e.result.dev) outIf = e.result.dev;
          break;
        }
        case "fate":
          pkt = e.pkt;
          // a martian is dropped after its local route
          if (e.fate.kind !== "delivered") delivered = false;
          break;
      }
      if ("chain" in e && "depth" in e) {
        stack.length = e.depth;
        stack[e.depth] = e.chain;
        where = { hook: e.hook, table: e.table, chain: e.chain };
        if (e.kind === "rule" || e.kind === "nomatch") where.ruleIndex = this.ruleIndex(e.rule.table, e.rule.chain, e.rule.handle);
        // a run of rules the index skipped: the cursor rests on the last of them
        else if (e.kind === "misses") where.ruleIndex = e.first + e.count - 1;
      } else if ("hook" in e) {
        where = { hook: e.hook };
        stack.length = 0;
      } else if (e.kind === "fate" || e.kind === "route") {
        where = {};
        stack.length = 0;
      }
      if (i === this.stops[next]) {
        out.push({ ...where, stack: stack.filter(Boolean), pkt, outIf, ...(delivered ? { delivered } : {}), ct });
        next++;
      }
    }
    this.atStops = out;
    return out;
  }

  private ruleIndex(table: TableName, chain: string, handle: number): number | undefined {
    return this.chainIndex?.(table, chain, handle);
  }

  /** Set by the session: the 1-based position of a rule in its chain. */
  chainIndex?: (table: TableName, chain: string, handle: number) => number | undefined;
}

/**
 * Chain, table and hook breakpoints fire on entering them (the first step inside), like a
 * debugger's function breakpoint; rule and verdict breakpoints fire on that rule or verdict.
 */
export function matchesBreak(b: Breakpoint, e: StopEvent, prev?: StopEvent): boolean {
  const ctx = (x: StopEvent | undefined) =>
    x && "hook" in x ? { hook: x.hook, table: "table" in x ? x.table : undefined, chain: "chain" in x ? x.chain : undefined, depth: "depth" in x ? x.depth : -1 } : { depth: -1 };
  const now = ctx(e);
  const before = ctx(prev);
  switch (b.kind) {
    case "chain":
      // entering the chain: from another table/hook, or from a caller above it (a jump or goto),
      // not when a chain it called returns into it
      return (
        (e.kind === "rule" || e.kind === "nomatch" || e.kind === "misses" || e.kind === "return") && now.chain === b.chain && (!b.table || now.table === b.table) &&
        (before.table !== now.table || before.hook !== now.hook || (before.chain !== now.chain && before.depth <= now.depth))
      );
    case "table":
      return now.table === b.table && (!b.hook || now.hook === b.hook) && (before.table !== now.table || before.hook !== now.hook);
    case "hook":
      return now.hook === b.hook && before.hook !== now.hook;
    case "rule":
      // a rule inside a skipped run stops the walk at the run
      if (e.kind === "misses") return e.table === b.table && e.chain === b.chain && missesHandle(e, b.handle);
      return (e.kind === "rule" || e.kind === "nomatch") && e.table === b.table && e.chain === b.chain && e.rule.handle === b.handle;
    case "ctstate":
      return e.kind === "conntrack" && e.view.state === b.state;
    case "verdict":
      return e.kind === "rule" && (e.verdict.kind === b.verdict || (b.verdict === "NAT" && e.rule.target?.kind === "ext" && e.rule.target.module.natManip !== undefined));
  }
}
