/**
 * A run of rules the dispatch index skipped, said in one line: how many, which numbers, and on
 * which clause they miss ("9,990 on -d (dst is 10.96.0.9), 9 on -m tcp --dport (dport is 80)").
 *
 * Why: explain used to print one line per missed rule — 10,000 lines for a packet to the last
 * Service of a big node. A learner needs the fold; `explain misses` (the stepper, the notebook
 * table) still has every rule and its reason when asked.
 */
import type { TraceEvent } from "../engine/trace/events.js";
import { expandMisses } from "../engine/walk/chain-walk.js";
import { failedOption } from "../engine/walk/rule-fail.js";

type Misses = Extract<TraceEvent, { kind: "misses" }>;

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
  // grouped by the failing option; the words of only the first two reasons of each are built
  const groups = new Map<string, { n: number; why: string[] }>();
  for (const m of expandMisses(e)) {
    const what = failedOption(m.fail);
    let g = groups.get(what);
    if (!g) groups.set(what, (g = { n: 0, why: [] }));
    g.n++;
    if (g.why.length < 3) {
      const why = m.fail.why;
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
