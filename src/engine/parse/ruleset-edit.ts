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
import { jumpTargets } from "../model/loaded-chain.js";

/**
 * A rule read from a file or typed. Its text — the rule as iptables-save prints it — is worked out
 * the first time something shows it: a 400,000-rule node loads without printing every rule, and
 * most of them are never shown.
 */
class ParsedRule implements Rule {
  table: Rule["table"];
  chain: string;
  handle: number;
  src: Rule["src"];
  dst: Rule["dst"];
  iif: Rule["iif"];
  oif: Rule["oif"];
  proto: Rule["proto"];
  frag: Rule["frag"];
  matches: Rule["matches"];
  target: Rule["target"];
  counters: Rule["counters"];
  /** where it came from, kept as two fields (an object a rule is 32 bytes on a 400,000-rule node) */
  #file: string;
  #line: number;
  /** the canonical text once known; before that, the words as the file has them (or undefined) */
  #text: string | undefined;
  #known = false;

  constructor(draft: RuleDraft, chainName: string, handle: number, origin: Rule["origin"], written: string | undefined) {
    this.table = draft.table;
    this.chain = chainName;
    this.handle = handle;
    this.src = draft.src;
    this.dst = draft.dst;
    this.iif = draft.iif;
    this.oif = draft.oif;
    this.proto = draft.proto;
    this.frag = draft.frag;
    this.matches = draft.matches;
    this.target = draft.target;
    this.#file = origin.file;
    this.#line = origin.line;
    this.counters = draft.counters;
    this.#text = written;
  }

  get origin(): Rule["origin"] {
    return { file: this.#file, line: this.#line };
  }

  get text(): string {
    if (!this.#known) {
      const saved = saveRuleText(this);
      // the line as written, when it is already what iptables-save writes: a slice of the file, not a copy
      this.#text = this.#text === saved ? this.#text : saved;
      this.#known = true;
    }
    return this.#text!;
  }

  /** As JSON, the rule is the plain data it stands for, text included. */
  toJSON(): Rule {
    const { table, chain, handle, src, dst, iif, oif, proto, frag, matches, target, counters } = this;
    return { table, chain, handle, src, dst, iif, oif, proto, frag, matches, target, text: this.text, origin: this.origin, counters };
  }
}

/**
 * The rule a draft describes, with its handle and where it came from. `written`: the words as
 * the file has them, used as the rule's text when they are exactly what iptables-save writes.
 */
export function ruleFromDraft(draft: RuleDraft, chain: Chain, handle: number, origin = draft.origin, written?: string): Rule {
  // the chain's own name string (every later lookup compares one string object with itself)
  return new ParsedRule(draft, chain.name, handle, origin, written);
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
  for (const o of table.chains.values()) if (jumpTargets(o).includes(chain.name)) return true;
  return false;
}
