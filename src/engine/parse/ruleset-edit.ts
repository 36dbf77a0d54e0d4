/**
 * The edits a restore file and the iptables command both make, and the checks the kernel makes on
 * them: a rule built from its parsed words, a jump to a chain that must exist and not be
 * built-in, a rule found by its text or number for -D, a chain that may not be deleted while
 * a rule jumps to it.
 *
 * Why: `iptables-restore` lines (ruleset-parser.ts) and the `iptables` command
 * (iptables-command.ts) are two front ends to one ruleset; each check lives here once, and each
 * front end words the error for its place (file:line:column, or the typed line's column).
 */
import type { Chain, Rule, Table } from "../model/ruleset.js";
import type { Token } from "./tokenize.js";
import { parseRuleWords, saveRuleText, type RuleDraft } from "./rule-parser.js";
import { didYouMean } from "./errors.js";
import { TARGETS } from "../ext/registry.js";

/**
 * The rule a draft describes, with its handle and where it came from. `written`: the words as
 * the file has them, used as the rule's text when they are exactly what iptables-save writes.
 */
export function ruleFromDraft(draft: RuleDraft, chain: Chain, handle: number, origin = draft.origin, written?: string): Rule {
  const text = saveRuleText(draft);
  return {
    table: draft.table,
    // the chain's own name string (every later lookup compares one string object with itself)
    chain: chain.name,
    handle,
    src: draft.src,
    dst: draft.dst,
    iif: draft.iif,
    oif: draft.oif,
    proto: draft.proto,
    frag: draft.frag,
    matches: draft.matches,
    target: draft.target,
    text: written === text ? written : text,
    origin,
    counters: draft.counters,
  };
}

/** What is wrong with a jump or goto to `name` in this table, if anything. */
export type JumpProblem = { kind: "missing"; message: string } | { kind: "builtin"; message: string };

export function jumpProblem(table: Table, from: string, name: string): JumpProblem | undefined {
  const target = table.chains.get(name);
  if (!target) {
    const hint = didYouMean(name, [...table.chains.keys(), ...TARGETS.keys()]);
    return { kind: "missing", message: `Chain '${name}' does not exist in table ${table.name}${hint ? ` (did you mean ${hint}?)` : ""}` };
  }
  if (target.builtin) return { kind: "builtin", message: `RULE_APPEND failed (Operation not supported): rule in chain ${from} (a rule cannot jump to built-in chain ${target.name})` };
  return undefined;
}

/** -D's rule: by its 1-based number, or by its words (compared as iptables-save writes them). */
export function ruleToDelete(table: Table, chain: Chain, words: Token[], file: string, line: number): number {
  if (words.length === 1 && /^\d+$/.test(words[0]!.text)) return Number(words[0]!.text) - 1;
  const text = saveRuleText(parseRuleWords(words, table.name, chain.name, file, line));
  return chain.rules.findIndex((r) => r.text === text);
}

/** Does any rule of the table jump or go to this chain (the kernel then refuses to delete it)? */
export function chainInUse(table: Table, chain: Chain): boolean {
  for (const o of table.chains.values()) for (const r of o.rules) if ((r.target?.kind === "jump" || r.target?.kind === "goto") && r.target.chain === chain.name) return true;
  return false;
}
