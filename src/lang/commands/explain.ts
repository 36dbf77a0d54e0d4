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
import { FOLD_RUN, foldedRun, missesRange, ruleLabel, runRange, type NoMatch } from "../../format/misses.js";
import { describePacket } from "../../format/describe.js";
import { CommandError } from "../words.js";
import { didYouMean } from "../../engine/parse/errors.js";
import { completeChain, prefixFilter } from "../complete.js";
import { describeCalicoChain } from "../../sources/calico/names.js";
import { sendExample } from "../send-example.js";

export const explain: Command = {
  name: "explain",
  maxArgs: 2,
  usage: "explain chain NAME | explain misses",
  summary: "what a chain is (a KUBE-* chain's Service and endpoint, a Calico chain); or every rule the last packet skipped, one by one",
  examples: ["explain chain KUBE-SVC-Y4T5L63IYP3YFEBS", "explain chain KUBE-SEP-OYNVDBAPYJ623W6H", "explain misses"],
  details: `On a big node the walk folds a run of rules that test other destinations into one line ("✗ 9,999 rules for other destinations…"), and explain folds ${FOLD_RUN} or more rules in a row that all missed ("✗ 200 rules in a row, none matched…"); explain misses unfolds both for the current packet, each rule with why it missed.`,
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

/**
 * Every run of rules explain folded for the current packet, unfolded: the runs the index skipped
 * and the long runs the walk missed one by one — each rule and why it missed.
 */
function explainMisses(s: Session): CommandOutput {
  const st = s.stepper;
  if (!st) throw new CommandError("no packet yet", undefined, `send one first, e.g. ${sendExample(s)}`);
  const runs: { head: string; misses: { m: NoMatch; n: string }[] }[] = [];
  const numberOf = (m: NoMatch) => s.ruleNumbers.of(m.table, m.chain, m.rule.handle);
  const visit = (events: readonly TraceEvent[], within: string) => {
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const run = foldedRun(events, i);
      if (e.kind === "misses") runs.push({ head: `${e.hook} ${e.table} ${e.chain}, rules ${missesRange(e)}${within}`, misses: expandMisses(e).map((m, k) => ({ m, n: `#${e.first + k}` })) });
      else if (run) {
        runs.push({ head: `${run[0]!.hook} ${run[0]!.table} ${run[0]!.chain}, rules ${runRange(run, numberOf)}${within}`, misses: run.map((m) => ({ m, n: ruleLabel(m, numberOf) })) });
        i += run.length - 1;
      } else if (e.kind === "spawned") visit(e.events, ` (in the walk of what ${e.reason} sends: ${describePacket(e.pkt)})`);
    }
  };
  // up to the cursor: what lies ahead would tell where the packet is going
  visit(st.done ? st.events : st.events.slice(0, st.pos < 0 ? 0 : st.stops[st.pos]! + 1), "");
  if (!runs.length) return { text: `nothing was folded${st.done ? "" : " so far"}: the walk shows every rule it reached (explain folds ${FOLD_RUN} or more misses in a row, and the rules a chain's index skips)` };
  const lines: string[] = [];
  const rows: string[][] = [];
  for (const { head, misses } of runs) {
    lines.push(`${head}:`);
    for (const { m, n } of misses) {
      lines.push(`  ${m.chain} ${n}  ✗ ${m.fail.clause} — ${m.fail.why}`);
      rows.push([`${m.hook} ${m.table}`, m.chain, n, `-A ${m.chain} ${m.rule.text}`, `${m.fail.clause} — ${m.fail.why}`]);
    }
  }
  return { text: lines.join("\n"), display: [{ kind: "table", title: "the folded rules, one by one", columns: ["hook, table", "chain", "#", "rule", "missed on"], rows }] };
}
