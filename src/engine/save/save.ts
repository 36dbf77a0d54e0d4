/**
 * Prints a Ruleset as iptables-save does.
 *
 * Why: `save` in the REPL, snapshots, and the round-trip guarantee — loading canonical
 * iptables-save text and saving it gives the same bytes back. As iptables-save prints a table
 * (measured, iptables-nft 1.8.9 and legacy alike): every built-in chain of the table, in hook
 * order, even those the restore file never named (ACCEPT [0:0]); then the user chains sorted by
 * name, byte by byte; then the rules chain by chain in that order, each as `-A CHAIN <text>`,
 * with counters when the input had them.
 */
import { BUILTIN_CHAINS, type Rule, type Ruleset, type Table } from "../model/ruleset.js";

export function ruleLine(r: Rule): string {
  const counters = r.counters ? `[${r.counters[0]}:${r.counters[1]}] ` : "";
  return `${counters}-A ${r.chain}${r.text ? " " + r.text : ""}`;
}

/** strcmp's order (libiptc and the nft cache keep user chains so), not the locale's. */
const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function saveTable(t: Table): string {
  const out: string[] = [...t.before, `*${t.name}`];
  const builtins = BUILTIN_CHAINS[t.name];
  for (const name of builtins) {
    const c = t.chains.get(name);
    out.push(`:${name} ${c?.policy ?? "ACCEPT"} [${c ? `${c.counters[0]}:${c.counters[1]}` : "0:0"}]`);
  }
  const users = t.order.filter((name) => !builtins.includes(name)).sort(byBytes);
  for (const name of users) {
    const c = t.chains.get(name)!;
    out.push(`:${c.name} - [${c.counters[0]}:${c.counters[1]}]`);
  }
  for (const name of [...builtins, ...users]) for (const r of t.chains.get(name)?.rules ?? []) out.push(ruleLine(r));
  out.push("COMMIT", ...t.after);
  return out.join("\n") + "\n";
}

export function saveRuleset(rs: Ruleset): string {
  return rs.tableOrder.map((n) => saveTable(rs.tables.get(n)!)).join("");
}
