/**
 * A rule that names an ipset the node does not have is refused when the ruleset is loaded, as
 * the kernel refuses it: measured with iptables v1.8.9, `iptables-restore` stops at the rule
 * ("Set no-such-set doesn't exist.", exit 2) and `iptables -A` refuses it the same way
 * (xt_set's checkentry: ip_set_nfnl_get_byname finds nothing).
 *
 * Why here: a ruleset text does not know the node's ipsets; whoever puts a ruleset on a node
 * (a session loading a source, the iptables command) asks this once both are known.
 */
import type { Rule, Ruleset } from "../model/ruleset.js";
import type { Ipset } from "../model/node.js";
import { ParseError } from "./errors.js";
import { chainModules } from "../model/loaded-chain.js";

/** The first rule, in file order, that names a set missing from `sets`. */
export function missingSet(rules: Iterable<Rule>, sets: Map<string, Ipset>): { rule: Rule; set: string } | undefined {
  let first: { rule: Rule; set: string } | undefined;
  for (const rule of rules) {
    for (const m of rule.matches) {
      const missing = m.module.setsUsed?.(m.data).find((n) => !sets.has(n));
      if (missing && (!first || rule.origin.line < first.rule.origin.line)) first = { rule, set: missing };
    }
  }
  return first;
}

function* allRules(rs: Ruleset): Iterable<Rule> {
  // only the chains that use a set-reading match (a 10,000-Service node's chains are not all built)
  for (const t of rs.tables.values()) for (const c of t.chains.values()) if (chainModules(c).some((m) => m.kind === "match" && m.setsUsed)) yield* c.rules;
}

/** Throws the kernel's refusal, at the rule's line and the set name's column, if a set is missing. */
export function checkSets(rs: Ruleset, sets: Map<string, Ipset>): void {
  const m = missingSet(allRules(rs), sets);
  if (!m) return;
  const line = rs.source.split("\n")[m.rule.origin.line - 1] ?? "";
  const col = line.search(new RegExp(`(?<=\\s)${m.set.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=\\s|$)`)) + 1;
  throw new ParseError(m.rule.origin.file, m.rule.origin.line, col > 0 ? col : 1, m.set, `Set ${m.set} doesn't exist.`);
}
