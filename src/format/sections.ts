/**
 * A walk's listing in sections: one per hook and table, started by the first rule event there.
 *
 * Why: explain text and the HTML table both group a walk's rule events (a rule that matched,
 * one that missed, a folded run of misses, a chain's end, a policy) under a "hook · table"
 * header; which events those are and when a new header is due is decided here, once.
 */
import type { TraceEvent } from "../engine/trace/events.js";

/** The events that happen at a place in a chain. */
export type ChainEvent = Extract<TraceEvent, { kind: "rule" | "nomatch" | "misses" | "return" | "policy" }>;

export function isChainEvent(e: TraceEvent): e is ChainEvent {
  return e.kind === "rule" || e.kind === "nomatch" || e.kind === "misses" || e.kind === "return" || e.kind === "policy";
}

/** The hook and table a listing is in. */
export class Sections {
  constructor(
    public hook = "",
    public table = "",
  ) {}

  /** Whether `e` opens a new section (it is then the current one). */
  opens(e: ChainEvent): boolean {
    if (e.hook === this.hook && e.table === this.table) return false;
    this.hook = e.hook;
    this.table = e.table;
    return true;
  }

  /** Start over, e.g. for a packet's own walk, or inside `hook` before any table. */
  reset(hook = ""): void {
    this.hook = hook;
    this.table = "";
  }
}
