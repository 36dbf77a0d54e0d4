/**
 * A run of rules that missed, said in one line: how many, which numbers, and on which clause
 * they miss ("9,990 on -d (dst is 10.96.0.9), 9 on -m tcp --dport (dport is 80)"). Two kinds of
 * run: the rules the dispatch index skipped, and FOLD_RUN or more rules of one chain that the
 * walk tested one by one and that all missed (a chain too short to index, such as the filter
 * table's KUBE-SERVICES with one REJECT per Service without endpoints).
 *
 * Why: explain used to print one line per missed rule — 10,000 lines for a packet to the last
 * Service of a big node, 200 for its filter table. A learner needs the fold; `explain misses`
 * (the stepper, the notebook table) still has every rule and its reason when asked.
 */
import type { TraceEvent } from "../engine/trace/events.js";
import type { MatchFail } from "../engine/ext/types.js";
import { expandMisses } from "../engine/walk/chain-walk.js";
import { failedOption } from "../engine/walk/rule-fail.js";

type Misses = Extract<TraceEvent, { kind: "misses" }>;
export type NoMatch = Extract<TraceEvent, { kind: "nomatch" }>;

/**
 * The fewest rules missed one after another that explain folds into one line. The article's
 * walk misses at most 5 in a row, and stays rule by rule; a screenful is worth folding.
 */
export const FOLD_RUN = 20;

/**
 * The run explain folds at events[i]: FOLD_RUN or more rules of one chain call that missed in a
 * row (undefined when events[i] does not start one). A call of a chain ends with a return or a
 * RETURN event, so two calls of the same chain are never one run.
 */
export function foldedRun(events: readonly TraceEvent[], i: number): NoMatch[] | undefined {
  const first = events[i];
  if (first?.kind !== "nomatch") return undefined;
  let n = 1;
  for (let e = events[i + n]; e?.kind === "nomatch" && e.chain === first.chain && e.table === first.table && e.depth === first.depth && e.hook === first.hook; e = events[i + n]) n++;
  return n >= FOLD_RUN ? (events.slice(i, i + n) as NoMatch[]) : undefined;
}

const count = (n: number) => n.toLocaleString("en-US");

/** "#1–#9800" */
export function missesRange(e: Misses): string {
  const last = e.first + e.count - 1;
  return e.count === 1 ? `#${e.first}` : `#${e.first}–#${last}`;
}

/** A run's reasons, once worked out: a walk's events never change, and stepping shows the run again and again. */
const whyOfRun = new WeakMap<Misses, string>();

/** Why they missed, grouped by the clause each fails on, biggest group first. */
export function missesWhy(e: Misses): string {
  let why = whyOfRun.get(e);
  if (why === undefined) whyOfRun.set(e, (why = groupedWhy(e)));
  return why;
}

function groupedWhy(e: Misses): string {
  return failsWhy(expandMisses(e).map((m) => m.fail));
}

/** Why these rules missed, grouped by the clause each fails on, biggest group first. */
export function failsWhy(fails: readonly MatchFail[]): string {
  // grouped by the failing option; the words of only the first two reasons of each are built
  const groups = new Map<string, { n: number; why: string[] }>();
  for (const fail of fails) {
    const what = failedOption(fail);
    let g = groups.get(what);
    if (!g) groups.set(what, (g = { n: 0, why: [] }));
    g.n++;
    if (g.why.length < 3) {
      const why = fail.why;
      if (!g.why.includes(why)) g.why.push(why);
    }
  }
  return [...groups]
    .sort((a, b) => b[1].n - a[1].n)
    .map(([what, g]) => `${count(g.n)} on ${what} (${g.why.slice(0, 2).join("; ")}${g.why.length > 2 ? "; …" : ""})`)
    .join(", ");
}

/** The one line explain prints for the run (after the chain name and range). */
export function missesLine(e: Misses): string {
  return `✗ ${count(e.count)} rule${e.count === 1 ? "" : "s"} for other destinations, protocols or ports, skipped by the index: ${missesWhy(e)}`;
}

/** The one line explain prints for FOLD_RUN or more rules in a row that all missed. */
export function missRunLine(run: readonly NoMatch[]): string {
  return `✗ ${count(run.length)} rules in a row, none matched: ${failsWhy(run.map((e) => e.fail))} (explain misses lists them)`;
}

/** "#7" by a missed rule's number, or "0x1a", its handle, when an edit has removed it since. */
export function ruleLabel(m: NoMatch, numberOf: (m: NoMatch) => number | undefined): string {
  const n = numberOf(m);
  return n === undefined ? `0x${m.rule.handle.toString(16)}` : `#${n}`;
}

/** "#3–#41" for a folded run, by its first and last rule's labels. */
export function runRange(run: readonly NoMatch[], numberOf: (m: NoMatch) => number | undefined): string {
  return `${ruleLabel(run[0]!, numberOf)}–${ruleLabel(run[run.length - 1]!, numberOf)}`;
}
