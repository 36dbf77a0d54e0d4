/**
 * Prints a Ruleset as iptables-save does.
 *
 * Why: `save` in the REPL, snapshots, and the round-trip guarantee — loading canonical
 * iptables-save text and saving it gives the same bytes back. Rules print chain by chain in
 * declaration order, each as `-A CHAIN <text>` with counters when the input had them.
 */
import type { Rule, Ruleset, Table } from "../model/ruleset.js";

export function ruleLine(r: Rule): string {
  const counters = r.counters ? `[${r.counters[0]}:${r.counters[1]}] ` : "";
  return `${counters}-A ${r.chain}${r.text ? " " + r.text : ""}`;
}

export function saveTable(t: Table): string {
  const out: string[] = [...t.before, `*${t.name}`];
  for (const name of t.order) {
    const c = t.chains.get(name)!;
    out.push(`:${c.name} ${c.builtin ? c.policy : "-"} [${c.counters[0]}:${c.counters[1]}]`);
  }
  for (const name of t.order) for (const r of t.chains.get(name)!.rules) out.push(ruleLine(r));
  out.push("COMMIT", ...t.after);
  return out.join("\n") + "\n";
}

export function saveRuleset(rs: Ruleset): string {
  return rs.tableOrder.map((n) => saveTable(rs.tables.get(n)!)).join("");
}
