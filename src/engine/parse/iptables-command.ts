/**
 * `iptables [-t TABLE] -A/-I/-D/-N/-X/-F/-P/-L/-S ...` applied to a loaded ruleset, as the
 * iptables command changes a live kernel's.
 *
 * Why: the article's first step is `iptables -t raw -A OUTPUT -p tcp --dport 9898 -j TRACE`;
 * a learner should type it and see the trace change. Rules are parsed by the same code as
 * restore files and the kernel's checks (jump loops, depth, hooks) run before a change is
 * kept: a refused command leaves the ruleset as it was. A new rule takes the next handle of
 * its table, as the kernel's per-table counter would give it.
 */
import { ParseError, RuleError, didYouMean } from "./errors.js";
import type { Token } from "./tokenize.js";
import { parseRuleWords } from "./rule-parser.js";
import { findViolation, provablyValid } from "./path-validation.js";
import { highestHandle } from "../model/loaded-chain.js";
import { BUILTIN_CHAINS, TABLE_NAMES, type Chain, type Rule, type Ruleset, type Table, type TableName } from "../model/ruleset.js";
import { chainNameProblem } from "./chain-name.js";
import { chainInUse, jumpProblem, ruleFromDraft, ruleToDelete } from "./ruleset-edit.js";
import { missingSet } from "./set-refs.js";
import type { Ipset } from "../model/node.js";

export interface IptablesResult {
  /** What iptables would print (listing, -S) or a short confirmation. */
  text: string;
  /** -L asks for a listing the caller renders (the list format lives outside the engine). */
  list?: { table: TableName; chains: string[]; verbose: boolean; exact: boolean; lineNumbers: boolean };
}

const FILE = "iptables";

function fail(tok: Token | undefined, msg: string): never {
  throw new ParseError(FILE, 1, tok?.column ?? 1, tok?.text ?? "", msg);
}

function nextHandle(t: Table): number {
  let max = 0;
  for (const c of t.chains.values()) max = Math.max(max, highestHandle(c));
  return max + 1;
}

function tableFor(rs: Ruleset, name: TableName): Table {
  let t = rs.tables.get(name);
  if (!t) {
    t = { name, chains: new Map(), order: [], before: [], after: [] };
    rs.tables.set(name, t);
    rs.tableOrder.push(name);
  }
  return t;
}

function chainFor(t: Table, tok: Token | undefined, create = false): Chain {
  if (!tok) fail(tok, "a chain name is needed");
  const c = t.chains.get(tok.text);
  if (c) return c;
  if (BUILTIN_CHAINS[t.name].includes(tok.text) && create) {
    // iptables-nft creates a built-in chain when a rule first needs it
    const chain: Chain = { name: tok.text, builtin: true, policy: "ACCEPT", counters: [0, 0], rules: [], handle: nextHandle(t) };
    t.chains.set(chain.name, chain);
    t.order.splice(BUILTIN_CHAINS[t.name].filter((n) => t.chains.has(n)).indexOf(chain.name), 0, chain.name);
    return chain;
  }
  const hint = didYouMean(tok.text, t.chains.keys());
  fail(tok, `chain "${tok.text}" does not exist in table ${t.name}${hint ? ` (did you mean ${hint}?)` : ""}`);
}

/** Checks the table as the kernel would after the change; undoes it and throws when refused. */
function commitOrUndo(t: Table, added: Rule, undo: () => void) {
  const v = provablyValid(t) ? undefined : findViolation(t, () => true);
  if (v) {
    undo();
    // the kernel refuses the rule being added, whichever rule closes the bad path
    throw new RuleError(FILE, 1, `RULE_APPEND failed (${v.errno}): rule in chain ${added.chain} (${v.detail})`);
  }
}

/** A copy of a chain's rules with the rule at `at` removed, or `rule` inserted there. */
function spliced(copy: Rule[], at: number, rule?: Rule): Rule[] {
  if (rule) copy.splice(at, 0, rule);
  else copy.splice(at, 1);
  return copy;
}

/** ipsets: the node's sets, when known — a rule naming a missing one is refused, as iptables -A refuses it. */
export function applyIptables(rs: Ruleset, words: Token[], opts: { ipsets?: Map<string, Ipset> } = {}): IptablesResult {
  let tableName: TableName = "filter";
  const rest: Token[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.text === "-t" || w.text === "--table") {
      const t = words[++i];
      if (!t || !(TABLE_NAMES as readonly string[]).includes(t.text)) fail(t ?? w, `table name '${t?.text ?? ""}' invalid`);
      tableName = t.text as TableName;
    } else if (w.text === "-w" || w.text === "--wait") {
      if (/^\d+$/.test(words[i + 1]?.text ?? "")) i++;
    } else rest.push(w);
  }
  // listing options may come anywhere and grouped with the command (-nvL, -L -n -v -x --line-numbers)
  const listOpts = { verbose: false, exact: false, lineNumbers: false };
  const kept: Token[] = [];
  for (const w of rest) {
    const group = /^-([nvxLS]+)$/.exec(w.text);
    if (w.text === "--line-numbers") listOpts.lineNumbers = true;
    else if (w.text === "--verbose") listOpts.verbose = true;
    else if (w.text === "--exact") listOpts.exact = true;
    else if (w.text === "--numeric") continue;
    else if (group && /[nvx]/.test(group[1]!)) {
      for (const ch of group[1]!) {
        if (ch === "v") listOpts.verbose = true;
        else if (ch === "x") listOpts.exact = true;
        else if (ch === "L" || ch === "S") kept.unshift({ ...w, text: `-${ch}` });
      }
    } else kept.push(w);
  }
  rest.splice(0, rest.length, ...kept);
  const [verb, chainTok, ...args] = rest;
  if (!verb) fail(verb, "iptables needs a command: -A, -I, -D, -N, -X, -F, -P, -L or -S");
  const t = tableFor(rs, tableName);
  switch (verb.text) {
    case "-A":
    case "--append":
    case "-I":
    case "--insert": {
      const chain = chainFor(t, chainTok, true);
      let pos = verb.text.startsWith("-A") || verb.text === "--append" ? chain.rules.length : 0;
      let ruleWords = args;
      if (pos === 0 && /^\d+$/.test(args[0]?.text ?? "")) {
        pos = Number(args[0]!.text) - 1;
        if (pos < 0 || pos > chain.rules.length) fail(args[0], `Index of insertion too big (chain ${chain.name} has ${chain.rules.length} rules)`);
        ruleWords = args.slice(1);
      }
      const draft = parseRuleWords(ruleWords, t.name, chain.name, FILE, 1);
      const jt = draft.target;
      if (jt && (jt.kind === "jump" || jt.kind === "goto")) {
        const problem = jumpProblem(t, chain.name, jt.chain);
        if (problem?.kind === "missing") fail(draft.jumpToken, problem.message);
        if (problem) throw new RuleError(FILE, 1, problem.message);
        jt.chain = t.chains.get(jt.chain)!.name;
      }
      const missing = opts.ipsets && missingSet([{ matches: draft.matches, origin: { file: FILE, line: 1 } } as Rule], opts.ipsets);
      if (missing) fail(ruleWords.find((w) => w.text === missing.set) ?? verb, `Set ${missing.set} doesn't exist.`);
      const rule = ruleFromDraft(draft, chain, nextHandle(t), { file: "typed", line: 1 });
      // a new array, never an edit in place: the dispatch index knows an edited chain by it (and
      // an indexed chain's array is frozen; spread, unlike slice, copies one quickly)
      chain.rules = spliced([...chain.rules], pos, rule);
      commitOrUndo(t, rule, () => (chain.rules = spliced([...chain.rules], chain.rules.indexOf(rule))));
      // the rule as iptables-save lists it (always -A), and where it went
      const inserted = verb.text === "-I" || verb.text === "--insert";
      return { text: `-t ${t.name} -A ${chain.name} ${rule.text}  (${inserted ? "inserted as " : ""}rule #${chain.rules.indexOf(rule) + 1}, handle 0x${rule.handle.toString(16)})` };
    }
    case "-D":
    case "--delete": {
      const chain = chainFor(t, chainTok);
      const victim = chain.rules[ruleToDelete(t, chain, args, FILE, 1)];
      if (!victim) fail(args[0] ?? verb, "Bad rule (does a matching rule exist in that chain?)");
      chain.rules = spliced([...chain.rules], chain.rules.indexOf(victim));
      return { text: `deleted -A ${chain.name} ${victim.text}` };
    }
    case "-N":
    case "--new-chain": {
      if (!chainTok) fail(verb, "-N needs a chain name");
      if (t.chains.has(chainTok.text)) fail(chainTok, "Chain already exists");
      const problem = chainNameProblem(chainTok.text);
      if (problem) fail(chainTok, problem);
      const c: Chain = { name: chainTok.text, builtin: false, counters: [0, 0], rules: [], handle: nextHandle(t) };
      t.chains.set(c.name, c);
      t.order.push(c.name);
      return { text: `created chain ${c.name} in ${t.name}` };
    }
    case "-X":
    case "--delete-chain": {
      const victims = chainTok ? [chainFor(t, chainTok)] : [...t.chains.values()].filter((c) => !c.builtin);
      for (const c of victims) {
        if (c.builtin) fail(chainTok, `Can't delete built-in chain ${c.name}`);
        if (chainInUse(t, c)) throw new RuleError(FILE, 1, `CHAIN_DEL failed (Device or resource busy): chain ${c.name}`);
        if (c.rules.length) fail(chainTok, `Directory not empty: chain ${c.name} still has rules (flush it with -F first)`);
      }
      for (const c of victims) {
        t.chains.delete(c.name);
        t.order = t.order.filter((n) => n !== c.name);
      }
      return { text: `deleted ${victims.map((c) => c.name).join(", ") || "no chains"}` };
    }
    case "-F":
    case "--flush": {
      const chains = chainTok ? [chainFor(t, chainTok)] : [...t.chains.values()];
      for (const c of chains) c.rules = [];
      return { text: `flushed ${chainTok ? chainTok.text : `all chains of ${t.name}`}` };
    }
    case "-P":
    case "--policy": {
      const c = chainFor(t, chainTok, true);
      const p = args[0];
      if (!c.builtin || !p || (p.text !== "ACCEPT" && p.text !== "DROP")) fail(p ?? chainTok, "Bad policy name (a built-in chain's policy is ACCEPT or DROP)");
      c.policy = p.text as "ACCEPT" | "DROP";
      return { text: `policy of ${t.name} ${c.name}: ${c.policy}` };
    }
    case "-L":
    case "--list":
    case "-S":
    case "--list-rules": {
      const target = chainTok && !chainTok.text.startsWith("-") ? chainFor(t, chainTok) : undefined;
      const chains = target ? [target.name] : t.order;
      const extra = rest[target ? 2 : 1];
      if (extra) fail(extra, `unexpected "${extra.text}" after ${verb.text}${target ? ` ${target.name}` : ""} (listing takes -n, -v, -x, --line-numbers)`);
      if (verb.text === "-S" || verb.text === "--list-rules") {
        const lines = chains.flatMap((n) => {
          const c = t.chains.get(n)!;
          return [c.builtin ? `-P ${c.name} ${c.policy}` : `-N ${c.name}`, ...c.rules.map((r) => `-A ${c.name}${r.text ? " " + r.text : ""}`)];
        });
        return { text: lines.join("\n") };
      }
      return { text: "", list: { table: t.name, chains, ...listOpts } };
    }
  }
  fail(verb, `unsupported iptables command "${verb.text}" (ktrace takes -A, -I, -D, -N, -X, -F, -P, -L, -S)`);
}
