/**
 * A restore file's rule lines, read twice: once when the file loads, to check every line, and
 * again when a chain is first read, to build its rules from where its lines are (LoadedChain).
 *
 * Why: both readings must cut a line into the same words — counters, -4, -I's position, one rule
 * per `-s a,b -d c,d` combination — and build the same rule from them, so the cutting and the
 * building live here once. TableLines is what a table's unbuilt chains call to build themselves.
 */
import { ParseError } from "./errors.js";
import { tokenizeLine, type Token } from "./tokenize.js";
import { parseRuleWords, type RuleDraft } from "./rule-parser.js";
import { ruleFromDraft } from "./ruleset-edit.js";
import type { Chain, Rule, Table, TargetInstance } from "../model/ruleset.js";
import { LoadedChain, ModuleSets, NO_JUMP, REF_STRIDE, type RuleBuilder, type RuleModule } from "../model/loaded-chain.js";

/** -s or -d, by any of their names (compared, not hashed: every word of 400,000 lines is asked). */
function isAddressFlag(w: string): boolean {
  return w.charCodeAt(0) === 45 && (w === "-s" || w === "-d" || w === "--source" || w === "--src" || w === "--destination" || w === "--dst");
}

export function expandAddressLists(words: Token[]): Token[][] {
  let lists = false;
  for (let i = 0; i + 1 < words.length; i++) if (isAddressFlag(words[i]!.text) && words[i + 1]!.text.includes(",")) lists = true;
  if (!lists) return [words];
  let out: Token[][] = [[]];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = words[i + 1];
    if (isAddressFlag(w.text) && next && next.text.includes(",")) {
      const alts = next.text.split(",").map((text) => ({ ...next, text }));
      out = out.flatMap((prefix) => alts.map((a) => [...prefix, w, a]));
      i++;
      continue;
    }
    for (const o of out) o.push(w);
  }
  return out;
}

/** A rule line's words after its counters ("[pkts:bytes]") and a leading -4. */
export function ruleLineWords(raw: string, file: string, lineNo: number): { toks: Token[]; counters?: [number, number] } {
  let toks = tokenizeLine(raw, file, lineNo);
  const long = raw.length >= 1024 ? toks.find((t) => t.text.length >= 1024) : undefined;
  if (long) throw new ParseError(file, lineNo, long.column, long.text.slice(0, 20) + "...", "Parameter too long! (iptables takes words of up to 1023 bytes)");
  let counters: [number, number] | undefined;
  const cm = toks[0]?.text.startsWith("[") ? /^\[(\d+):(\d+)\]$/.exec(toks[0].text) : null;
  if (cm) {
    counters = [Number(cm[1]), Number(cm[2])];
    toks = toks.slice(1);
  }
  if (toks[0]?.text === "-4") toks = toks.slice(1);
  return { toks, counters };
}

/** The rule's own words of an -A/-I line (after the chain, and -I's position). */
export function ruleBody(toks: Token[]): { rest: Token[]; position?: Token } {
  const rest = toks.slice(2);
  const verb = toks[0]!.text;
  if ((verb === "-I" || verb === "--insert") && rest[0] && /^\d+$/.test(rest[0].text)) return { rest: rest.slice(1), position: rest[0] };
  return { rest };
}

/** The extensions a rule uses (what a lazy chain keeps of it for the load-time checks). */
export function modulesOf(draft: RuleDraft): RuleModule[] {
  const out: RuleModule[] = draft.matches.map((m) => m.module);
  if (draft.target?.kind === "ext") out.push(draft.target.module);
  return out;
}

/**
 * A table's rules, built from their lines in the file: at load for a chain something has already
 * read, later for the rest (LoadedChain). The lines were checked when the file was read, so
 * building one again gives the rule the load would have built.
 */
export class TableLines implements RuleBuilder {
  // one jump (and one goto) object per target chain, shared by every rule that jumps there
  readonly #shared = { jump: new Map<string, TargetInstance>(), goto: new Map<string, TargetInstance>() };
  /** the table's chains by number, deleted ones included (a rule's jump holds the number) */
  readonly #chains: LoadedChain[] = [];
  /** the names of chains jumped to before they were declared (numbers below NO_JUMP) */
  readonly #later: string[] = [];
  readonly moduleSets = new ModuleSets();

  constructor(
    readonly text: string,
    readonly file: string,
    readonly table: Table,
  ) {}

  /** A new chain of the table, numbered. */
  declare(init: Omit<Chain, "rules">): LoadedChain {
    const chain = new LoadedChain(init, this, this.#chains.length);
    this.#chains.push(chain);
    return chain;
  }

  /** The chains a `-X` line deleted while the file was read (kept by number, never reused). */
  readonly #deleted = new Set<number>();

  /** A `-X` line deleted this chain: no later line is predicted to add to it. */
  deleted(chain: LoadedChain): void {
    this.#deleted.add(chain.index);
  }

  /** `last`, or the chain declared after it, when its name is `name` (and it is still the table's). */
  predictChain(last: LoadedChain | undefined, name: string): LoadedChain | undefined {
    if (!last) return undefined;
    if (last.name === name) return last;
    const next = this.#chains[last.index + 1];
    return next && next.name === name && !this.#deleted.has(next.index) ? next : undefined;
  }

  /** The number a jump to a chain not declared yet holds until COMMIT. */
  laterChain(name: string): number {
    this.#later.push(name);
    return NO_JUMP - this.#later.length;
  }

  chainName(jump: number): string {
    return jump > NO_JUMP ? this.#chains[jump]!.name : this.#later[NO_JUMP - jump - 1]!;
  }

  build(chain: Chain, refs: readonly number[]): Rule[] {
    const { text, file } = this;
    const out = new Array<Rule>(refs.length / REF_STRIDE);
    for (let i = 0; i < out.length; i++) {
      const at = i * REF_STRIDE;
      const line = refs[at]!;
      const offset = refs[at + 1]!;
      let end = text.indexOf("\n", offset);
      if (end < 0) end = text.length;
      if (end > offset && text.charCodeAt(end - 1) === 13) end--;
      const raw = text.slice(offset, end);
      const { toks, counters } = ruleLineWords(raw, file, line);
      const { rest } = ruleBody(toks);
      const words = expandAddressLists(rest)[refs[at + 3]!]!;
      const draft = parseRuleWords(words, this.table.name, chain.name, file, line);
      out[i] = this.rule(draft, counters, chain, refs[at + 2]!, words === rest ? raw : undefined, words);
    }
    return out;
  }

  /** The rule of a checked draft; `raw`: its line, when the rule is the line's only one. */
  rule(draft: RuleDraft, counters: [number, number] | undefined, chain: Chain, handle: number, raw: string | undefined, words: Token[]): Rule {
    if (counters) draft.counters = counters;
    // the line as written, when it is already as iptables-save writes the rule (a slice of the
    // file, not a copy: a 400,000-rule node keeps tens of megabytes less)
    const written = raw !== undefined && words[0] ? raw.slice(words[0].column - 1).trimEnd() : undefined;
    const rule = ruleFromDraft(draft, chain, handle, draft.origin, written);
    const t = rule.target;
    if (t && (t.kind === "jump" || t.kind === "goto")) rule.target = this.share(t.kind, t.chain);
    return rule;
  }

  /**
   * The shared jump to a chain, with the chain's own name string: every later lookup of a jump
   * target compares one string object with itself, not a slice of the file with another.
   */
  share(kind: "jump" | "goto", name: string): TargetInstance {
    const byName = this.#shared[kind];
    const known = byName.get(name);
    if (known) return known;
    const target = this.table.chains.get(name);
    const one: TargetInstance = { kind, chain: target?.name ?? name };
    if (target) byName.set(target.name, one);
    return one;
  }
}
