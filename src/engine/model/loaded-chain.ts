/**
 * A chain read from a restore file whose Rule objects are built the first time something reads
 * `rules`, and the few facts about its rules that can be asked before that: which chains they
 * jump or go to, which extensions they use, which single hosts they name as destination, how
 * many there are.
 *
 * Why: a 10,000-Service kube-proxy node has 320,000 rules in 110,000 chains, and a walk reads a
 * few dozen chains. Every line is still checked when the file loads (iptables-restore refuses a
 * whole file for one bad line); what a chain keeps until it is read is where each of its lines
 * is — four numbers a rule instead of a few hundred bytes of objects. The facts are the ones the
 * load-time path checks, conntrack's switch, `-L`'s reference count and address completion read
 * from every chain; asking them must not build every rule.
 */
import type { Chain, Rule } from "./ruleset.js";
import type { MatchModule, TargetModule } from "../ext/types.js";

export type RuleModule = MatchModule<unknown> | TargetModule<unknown>;

/** Numbers kept per rule: its line number, the offset of its line in the file, its handle, and which of the line's address combinations it is. */
export const REF_STRIDE = 4;

/** Rebuilds rules from their lines (the parser, which checked them at load). */
export interface RuleBuilder {
  build(chain: Chain, refs: readonly number[]): Rule[];
}

/** What a chain's unbuilt rules do, gathered as the lines are checked. */
export interface LazyFacts {
  /** the chains they jump or go to, once per rule */
  readonly jumps: readonly string[];
  /** the extensions they use, each once */
  readonly modules: readonly RuleModule[];
  /** their `-d` addresses with a /32 mask, each once */
  readonly hosts: readonly number[];
}

/** The facts while lines are still being added. */
interface GrowingFacts {
  jumps: string[];
  modules: RuleModule[];
  hosts: number[];
}

export class LoadedChain implements Chain {
  name: string;
  builtin: boolean;
  policy?: "ACCEPT" | "DROP";
  counters: [number, number];
  handle: number;
  #rules: Rule[] | undefined;
  #refs: number[] | undefined;
  #facts: LazyFacts | GrowingFacts | undefined;
  readonly #builder: RuleBuilder;

  constructor(init: Omit<Chain, "rules">, builder: RuleBuilder) {
    this.name = init.name;
    this.builtin = init.builtin;
    this.policy = init.policy;
    this.counters = init.counters;
    this.handle = init.handle;
    this.#builder = builder;
    this.#refs = [];
    this.#facts = { jumps: [], modules: [], hosts: [] };
  }

  get rules(): Rule[] {
    if (!this.#rules) {
      this.#rules = this.#refs!.length ? this.#builder.build(this, this.#refs!) : [];
      this.#refs = undefined;
      this.#facts = undefined;
    }
    return this.#rules;
  }

  set rules(rules: Rule[]) {
    this.#rules = rules;
    this.#refs = undefined;
    this.#facts = undefined;
  }

  /** Still only lines (nothing has read `rules`)? */
  get lazy(): boolean {
    return this.#rules === undefined;
  }

  /** The facts of the unbuilt rules; undefined once the rules are built. */
  get facts(): LazyFacts | undefined {
    return this.#facts;
  }

  get ruleCount(): number {
    return this.#rules ? this.#rules.length : this.#refs!.length / REF_STRIDE;
  }

  /** Adds a checked line's rule at position `at` (default: the end), with what it does. */
  addRef(ref: readonly [line: number, offset: number, handle: number, combination: number], jump: string | undefined, modules: readonly RuleModule[], host: number | undefined, at?: number): void {
    const refs = this.#refs!;
    if (at === undefined || at * REF_STRIDE >= refs.length) refs.push(...ref);
    else refs.splice(at * REF_STRIDE, 0, ...ref);
    const f = this.#facts as GrowingFacts;
    if (jump !== undefined) f.jumps.push(jump);
    for (const m of modules) if (!f.modules.includes(m)) f.modules.push(m);
    if (host !== undefined && !f.hosts.includes(host)) f.hosts.push(host);
  }

  /**
   * Once the file is read: arrays exactly as long as their contents, jump names the chains' own
   * strings, and the facts most chains share (no hosts, the same few extensions) kept once.
   */
  settle(chainName: (name: string) => string, shared: SharedFacts): void {
    if (!this.#facts) return;
    this.#refs = this.#refs!.slice();
    const f = this.#facts as GrowingFacts;
    this.#facts = shared.facts(f.jumps.map(chainName), f.modules, f.hosts);
  }

  /** As JSON, the chain is the plain data it stands for. */
  toJSON(): Chain {
    const { name, builtin, policy, counters, rules, handle } = this;
    return { name, builtin, policy, counters, rules, handle };
  }
}

/**
 * Facts equal in many chains, kept once: a KUBE-SEP chain's are "jumps to KUBE-MARK-MASQ, uses
 * comment, tcp and DNAT, no hosts" in 100,000 chains of a big node.
 */
export class SharedFacts {
  readonly #byKey = new Map<string, LazyFacts>();
  readonly #moduleIds = new Map<RuleModule, number>();

  facts(jumps: string[], modules: RuleModule[], hosts: number[]): LazyFacts {
    if (jumps.length > 4 || hosts.length > 0) return { jumps, modules: modules.slice(), hosts: hosts.slice() };
    let key = "";
    for (const m of modules) {
      let id = this.#moduleIds.get(m);
      if (id === undefined) this.#moduleIds.set(m, (id = this.#moduleIds.size));
      key += `${id},`;
    }
    key += `|${jumps.join(" ")}`;
    let f = this.#byKey.get(key);
    if (!f) this.#byKey.set(key, (f = Object.freeze({ jumps: Object.freeze(jumps), modules: Object.freeze(modules.slice()), hosts: Object.freeze([]) })));
    return f;
  }
}

/** The chains a chain's rules jump or go to (once per rule), without building its rules. */
export function jumpTargets(c: Chain): readonly string[] {
  if (c instanceof LoadedChain && c.facts) return c.facts.jumps;
  const out: string[] = [];
  for (const r of c.rules) if (r.target?.kind === "jump" || r.target?.kind === "goto") out.push(r.target.chain);
  return out;
}

/** The extensions a chain's rules use, without building its rules. */
export function chainModules(c: Chain): readonly RuleModule[] {
  if (c instanceof LoadedChain && c.facts) return c.facts.modules;
  const out = new Set<RuleModule>();
  for (const r of c.rules) {
    for (const m of r.matches) out.add(m.module);
    if (r.target?.kind === "ext") out.add(r.target.module);
  }
  return [...out];
}

/** The `-d` host addresses (/32) a chain's rules name, without building its rules. */
export function destinationHosts(c: Chain): readonly number[] {
  if (c instanceof LoadedChain && c.facts) return c.facts.hosts;
  const out: number[] = [];
  for (const r of c.rules) if (r.dst && r.dst.value.prefix === 32) out.push(r.dst.value.addr);
  return out;
}

/** How many rules a chain has, without building them. */
export function ruleCount(c: Chain): number {
  return c instanceof LoadedChain ? c.ruleCount : c.rules.length;
}
