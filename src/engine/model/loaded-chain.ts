/**
 * A chain read from a restore file whose Rule objects are built the first time something reads
 * `rules`, and the few facts about its rules that can be asked before that: which chains they
 * jump or go to, which extensions they use, which single hosts they name as destination, how
 * many there are and their highest handle (and a rule's handle can be set from `nft -a`).
 *
 * Why: a 10,000-Service kube-proxy node has 320,000 rules in 110,000 chains, and a walk reads a
 * few dozen chains. Every line is still checked when the file loads (iptables-restore refuses a
 * whole file for one bad line); what a chain keeps until it is read is six numbers a rule — where
 * its line is, its handle, its jump and its destination host — and one shared list of the
 * extensions it uses, instead of a few hundred bytes of objects. The facts are the ones the
 * load-time path checks, conntrack's switch, `-L`'s reference count, `iptables -A`'s next handle
 * and address completion read from every chain; asking them must not build every rule.
 */
import type { Chain, Rule } from "./ruleset.js";
import type { MatchModule, TargetModule } from "../ext/types.js";

export type RuleModule = MatchModule<unknown> | TargetModule<unknown>;

/**
 * Numbers kept per rule: its line number, the offset of its line in the file, its handle, which
 * of the line's address combinations it is, the chain it jumps or goes to (a number its builder
 * gave the chain, NO_JUMP for none), and its `-d` address when that is one host (NO_HOST for none).
 */
export const REF_STRIDE = 6;
export const NO_JUMP = -1;
export const NO_HOST = -1;

/** Rebuilds rules from their lines, and names the chains the lines jump to (the parser's). */
export interface RuleBuilder {
  build(chain: Chain, refs: readonly number[]): Rule[];
  chainName(jump: number): string;
  readonly moduleSets: ModuleSets;
}

/** One rule's line, as the chain keeps it. */
export interface RuleRef {
  line: number;
  offset: number;
  handle: number;
  combination: number;
  jump: number;
  host: number;
}

export class LoadedChain implements Chain {
  name: string;
  builtin: boolean;
  policy?: "ACCEPT" | "DROP";
  counters: [number, number];
  handle: number;
  /** the number the builder knows this chain by (what other chains' refs hold as their jump) */
  readonly index: number;
  #rules: Rule[] | undefined;
  #refs: number[] | undefined = [];
  #modules: readonly RuleModule[] = NO_MODULES;
  readonly #builder: RuleBuilder;

  constructor(init: Omit<Chain, "rules">, builder: RuleBuilder, index: number) {
    this.name = init.name;
    this.builtin = init.builtin;
    this.policy = init.policy;
    this.counters = init.counters;
    this.handle = init.handle;
    this.#builder = builder;
    this.index = index;
  }

  get rules(): Rule[] {
    if (!this.#rules) {
      this.#rules = this.#refs!.length ? this.#builder.build(this, this.#refs!) : [];
      this.#refs = undefined;
      this.#modules = NO_MODULES;
    }
    return this.#rules;
  }

  set rules(rules: Rule[]) {
    this.#rules = rules;
    this.#refs = undefined;
    this.#modules = NO_MODULES;
  }

  /** Still only lines (nothing has read `rules`)? */
  get lazy(): boolean {
    return this.#rules === undefined;
  }

  get ruleCount(): number {
    return this.#rules ? this.#rules.length : this.#refs!.length / REF_STRIDE;
  }

  /** Adds a checked line's rule at position `at` (default: the end), with the extensions it uses. */
  addRef(ref: RuleRef, modules: readonly RuleModule[], at?: number): void {
    const refs = this.#refs!;
    const { line, offset, handle, combination, jump, host } = ref;
    if (at === undefined || at * REF_STRIDE >= refs.length) refs.push(line, offset, handle, combination, jump, host);
    else refs.splice(at * REF_STRIDE, 0, line, offset, handle, combination, jump, host);
    this.#modules = this.#builder.moduleSets.union(this.#modules, modules);
  }

  /**
   * Once the file is read: the refs array exactly as long as its numbers, and each jump given
   * as a name (to a chain declared after the rule) turned into the chain's number.
   */
  settle(jumpNumber: (jump: number) => number): void {
    if (!this.#refs) return;
    const refs = this.#refs.slice();
    for (let j = 4; j < refs.length; j += REF_STRIDE) if (refs[j]! < NO_JUMP) refs[j] = jumpNumber(refs[j]!);
    this.#refs = refs;
  }

  /** While lazy: the chains its rules jump or go to, once per rule. */
  lazyJumps(): string[] | undefined {
    return this.lazyJumpNumbers()?.map((n) => this.#builder.chainName(n));
  }

  /** While lazy: the chains its rules jump or go to, once per rule, as the numbers its builder gave them. */
  lazyJumpNumbers(): number[] | undefined {
    const refs = this.#refs;
    if (!refs) return undefined;
    const out: number[] = [];
    for (let j = 4; j < refs.length; j += REF_STRIDE) if (refs[j] !== NO_JUMP) out.push(refs[j]!);
    return out;
  }

  /** While lazy: its rules' `-d` hosts. */
  lazyHosts(): number[] | undefined {
    const refs = this.#refs;
    if (!refs) return undefined;
    const out: number[] = [];
    for (let j = 5; j < refs.length; j += REF_STRIDE) if (refs[j] !== NO_HOST) out.push(refs[j]!);
    return out;
  }

  /** Gives rule `i` (0-based) another handle, built or not (the node's real one, from `nft -a`). */
  setHandle(i: number, handle: number): void {
    if (this.#refs) this.#refs[i * REF_STRIDE + 2] = handle;
    else this.#rules![i]!.handle = handle;
  }

  /** While lazy: the highest handle of its rules (-1 for none). */
  lazyHighestHandle(): number | undefined {
    const refs = this.#refs;
    if (!refs) return undefined;
    let max = -1;
    for (let j = 2; j < refs.length; j += REF_STRIDE) if (refs[j]! > max) max = refs[j]!;
    return max;
  }

  /** While lazy: the extensions its rules use. */
  lazyModules(): readonly RuleModule[] | undefined {
    return this.#refs ? this.#modules : undefined;
  }

  /** As JSON, the chain is the plain data it stands for. */
  toJSON(): Chain {
    const { name, builtin, policy, counters, rules, handle } = this;
    return { name, builtin, policy, counters, rules, handle };
  }
}

const NO_MODULES: readonly RuleModule[] = Object.freeze([]);

/**
 * The lists of extensions unbuilt chains use, each distinct list kept once: "comment, tcp and
 * DNAT" is the list of 100,000 KUBE-SEP chains on a big node. A chain's list grows by union as
 * its lines are added, and only changes object when a line brings an extension it lacked.
 */
export class ModuleSets {
  readonly #byKey = new Map<string, readonly RuleModule[]>();
  readonly #ids = new Map<RuleModule, number>();
  /** set → module → the set with it: a chain's first rule asks the same question as 100,000 others */
  readonly #with = new Map<readonly RuleModule[], Map<RuleModule, readonly RuleModule[]>>();

  union(set: readonly RuleModule[], more: readonly RuleModule[]): readonly RuleModule[] {
    for (const m of more) if (!set.includes(m)) set = this.#plus(set, m);
    return set;
  }

  #plus(set: readonly RuleModule[], m: RuleModule): readonly RuleModule[] {
    let next = this.#with.get(set);
    if (!next) this.#with.set(set, (next = new Map()));
    let known = next.get(m);
    if (!known) {
      const all = [...set, m].sort((a, b) => this.#id(a) - this.#id(b));
      const key = all.map((x) => this.#id(x)).join(",");
      known = this.#byKey.get(key);
      if (!known) this.#byKey.set(key, (known = Object.freeze(all)));
      next.set(m, known);
    }
    return known;
  }

  #id(m: RuleModule): number {
    let id = this.#ids.get(m);
    if (id === undefined) this.#ids.set(m, (id = this.#ids.size));
    return id;
  }
}

/** The chains a chain's rules jump or go to (once per rule), without building its rules. */
export function jumpTargets(c: Chain): readonly string[] {
  const lazy = c instanceof LoadedChain ? c.lazyJumps() : undefined;
  if (lazy) return lazy;
  const out: string[] = [];
  for (const r of c.rules) if (r.target?.kind === "jump" || r.target?.kind === "goto") out.push(r.target.chain);
  return out;
}

/** The extensions a chain's rules use, without building its rules. */
export function chainModules(c: Chain): readonly RuleModule[] {
  const lazy = c instanceof LoadedChain ? c.lazyModules() : undefined;
  if (lazy) return lazy;
  const out = new Set<RuleModule>();
  for (const r of c.rules) {
    for (const m of r.matches) out.add(m.module);
    if (r.target?.kind === "ext") out.add(r.target.module);
  }
  return [...out];
}

/** The `-d` host addresses (/32) a chain's rules name, without building its rules. */
export function destinationHosts(c: Chain): readonly number[] {
  const lazy = c instanceof LoadedChain ? c.lazyHosts() : undefined;
  if (lazy) return lazy;
  const out: number[] = [];
  for (const r of c.rules) if (r.dst && r.dst.value.prefix === 32) out.push(r.dst.value.addr);
  return out;
}

/** The highest handle of a chain and its rules, without building them. */
export function highestHandle(c: Chain): number {
  const lazy = c instanceof LoadedChain ? c.lazyHighestHandle() : undefined;
  let max = Math.max(c.handle, lazy ?? -1);
  if (lazy === undefined) for (const r of c.rules) max = Math.max(max, r.handle);
  return max;
}

/** Gives a chain's rule `i` (0-based, below its count) another handle, without building its rules. */
export function setRuleHandle(c: Chain, i: number, handle: number): void {
  if (c instanceof LoadedChain) c.setHandle(i, handle);
  else c.rules[i]!.handle = handle;
}

/** How many rules a chain has, without building them. */
export function ruleCount(c: Chain): number {
  return c instanceof LoadedChain ? c.ruleCount : c.rules.length;
}
