/**
 * `explain chain NAME`: what a chain is — a KUBE-* chain's Service and endpoint, kube-proxy's fixed
 * chains, a Calico chain — and which tables hold it.
 *
 * Why: hashed chain names are opaque; the decoders live in sources/ (one per proxy or CNI), this
 * command only asks them.
 */
import type { Command, CommandOutput } from "../command.js";
import type { Session } from "../session.js";
import type { TraceEvent } from "../../engine/trace/events.js";
import { expandMisses } from "../../engine/walk/chain-walk.js";
import { missesRange } from "../../format/misses.js";
import { CommandError } from "../words.js";
import { didYouMean } from "../../engine/parse/errors.js";
import { completeChain, prefixFilter } from "../complete.js";
import { describeCalicoChain } from "../../sources/calico/names.js";

export const explain: Command = {
  name: "explain",
  maxArgs: 2,
  usage: "explain chain NAME | explain misses",
  summary: "what a chain is (a KUBE-* chain's Service and endpoint, a Calico chain); or every rule the last packet skipped, one by one",
  examples: ["explain chain KUBE-SVC-Y4T5L63IYP3YFEBS", "explain chain KUBE-SEP-OYNVDBAPYJ623W6H", "explain misses"],
  details: "On a big node the walk folds a run of rules that test other destinations into one line (\"✗ 9,999 rules for other destinations…\"); explain misses unfolds them for the current packet, each with why it missed.",
  run(s, args) {
    if (args[0]?.text === "misses") {
      if (args[1]) throw new CommandError(`explain misses takes no more words: "${args[1].text}" is one too many`, args[1].col);
      return explainMisses(s);
    }
    if (args[0]?.text !== "chain" || !args[1]) throw new CommandError(`expected "explain chain NAME" or "explain misses"`, args[0]?.col ?? 1);
    const name = args[1].text;
    const where = [...s.engine.ruleset.tables.values()].filter((t) => t.chains.has(name)).map((t) => {
      const n = t.chains.get(name)!.rules.length;
      return `${t.name} (${n} rule${n === 1 ? "" : "s"})`;
    });
    if (!where.length) {
      const all = completeChain(s, undefined, "");
      const starts = all.filter((n) => n.startsWith(name));
      const hint = starts.length === 1 ? starts[0] : didYouMean(name, all);
      throw new CommandError(`unknown chain ${name}`, args[1].col, hint ? `did you mean ${hint}?` : undefined);
    }
    const meaning = s.names.decode(name) ?? describeCalicoChain(name) ?? `${name} is not a chain ktrace can name (no kube-proxy comment or hash points to it)`;
    return { text: `${meaning}\nin: ${where.join(", ")}`, display: [{ kind: "table", title: name, columns: ["", ""], rows: [["what it is", meaning], ["in tables", where.join(", ")]] }] };
  },
  complete: (s, args, partial) => (args.length === 0 ? prefixFilter(["chain", "misses"], partial) : args[0]?.text === "chain" ? completeChain(s, undefined, partial) : []),
};

/** Every run of rules the index skipped for the current packet, unfolded: each rule and why it missed. */
function explainMisses(s: Session): CommandOutput {
  const st = s.stepper;
  if (!st) throw new CommandError("no packet yet", undefined, "send one first, e.g. send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
  const runs: Extract<TraceEvent, { kind: "misses" }>[] = [];
  const visit = (events: TraceEvent[]) => {
    for (const e of events) {
      if (e.kind === "misses") runs.push(e);
      else if (e.kind === "spawned") visit(e.events);
    }
  };
  visit(st.events);
  if (!runs.length) return { text: "nothing was folded: this packet's walk tested every rule it reached one by one (only chains of 256 rules or more are indexed)" };
  const lines: string[] = [];
  const rows: string[][] = [];
  for (const e of runs) {
    lines.push(`${e.hook} ${e.table} ${e.chain}, rules ${missesRange(e)}:`);
    expandMisses(e).forEach((m, i) => {
      const n = `#${e.first + i}`;
      lines.push(`  ${e.chain} ${n}  ✗ ${m.fail.clause} — ${m.fail.why}`);
      rows.push([`${e.hook} ${e.table}`, e.chain, n, `-A ${e.chain} ${m.rule.text}`, `${m.fail.clause} — ${m.fail.why}`]);
    });
  }
  return { text: lines.join("\n"), display: [{ kind: "table", title: "rules skipped by the index, unfolded", columns: ["hook, table", "chain", "#", "rule", "missed on"], rows }] };
}
