/**
 * Reads iptables-save / iptables-restore text into a Ruleset, with the load-time checks the
 * kernel makes and the rule handles a fresh `iptables-nft-restore` would assign.
 *
 * Why: everything ktrace shows starts from a ruleset a user can paste from a real node. The
 * checks (unknown jump targets, loops, jump depth, targets outside their table/hook) fail the way
 * iptables-nft-restore fails, but with file:line:column and a hint.
 * Measured (docs/kernel-notes/handles-and-save-order.md): one handle counter per table, shared by
 * chains and rules, handed out in file order; an undeclared builtin chain is created (and takes a
 * handle) at its first rule.
 */
import { ParseError, RuleError, didYouMean } from "./errors.js";
import { tokenizeLine, type Token } from "./tokenize.js";
import { parseRuleWords, type RuleDraft } from "./rule-parser.js";
import { BUILTIN_CHAINS, TABLE_NAMES, type Chain, type Rule, type Ruleset, type Table, type TableName, type TargetInstance } from "../model/ruleset.js";
import { chainNameProblem } from "./chain-name.js";
import { runToEnd } from "../steps.js";
import { chainInUse, jumpProblem, ruleFromDraft, ruleToDelete } from "./ruleset-edit.js";
import { LoadedChain, ModuleSets, NO_HOST, NO_JUMP, REF_STRIDE, chainModules, jumpTargets, ruleCount, type RuleBuilder, type RuleModule } from "../model/loaded-chain.js";
import type { Hook } from "../walk/hooks.js";

/** Linux: NFT_JUMP_STACK_SIZE — 15 nested jumps from a base chain are fine, a 16th is not. */
export const MAX_JUMP_DEPTH = 15;

interface PendingTable {
  table: Table;
  nextHandle: number;
  /** handles pinned with "# ktrace:handle N" (the node's real handles, e.g. from `nft -a`) */
  pinned: Set<number>;
  /** The jumps and gotos to a chain not declared yet, or built-in, with the column of the target's name: checked at COMMIT. */
  jumps: PendingJump[];
  /** builds the table's rules from their lines */
  lines: TableLines;
  /** the chain the last rule line added to, and the last chain jumped to (cleared when a chain is deleted) */
  lastChain?: LoadedChain;
  lastJump?: LoadedChain;
  line: number;
}

interface PendingJump {
  line: number;
  col: number;
  from: string;
  to: string;
  handle: number;
}

export interface ParseOptions {
  file?: string;
  /** The most rules a file may hold (default MAX_RULES); tests set a small one. */
  maxRules?: number;
}

/**
 * The most rules ktrace holds. A rule takes about 175 bytes until its chain is read and about
 * 500 once built (measured on the 10,000-Service node), so a million read and shown in full is
 * half a gigabyte. A 10,000-Service kube-proxy node has about 320,000; a file of ten million
 * ends with a clear message at the rule past the limit, not with the process out of memory.
 */
export const MAX_RULES = 1_000_000;

/** How far a long load has got: lines read of all lines. */
export interface ParseProgress {
  done: number;
  total: number;
}

/** Lines read between two progress reports (a few milliseconds of work). */
const PROGRESS_EVERY = 8192;

export function parseRuleset(text: string, opts: ParseOptions = {}): Ruleset {
  return runToEnd(parseRulesetSteps(text, opts));
}

/**
 * parseRuleset in slices: yields its progress every few thousand lines, so a front end can draw
 * a progress bar and cancel a 400,000-line load (by not asking for the next slice). Nothing is
 * shared until the end: a cancelled load leaves no trace.
 */
export function* parseRulesetSteps(text: string, opts: ParseOptions = {}): Generator<ParseProgress, Ruleset, void> {
  const file = opts.file ?? "rules";
  const maxRules = opts.maxRules ?? MAX_RULES;
  let rulesRead = 0;
  const rs: Ruleset = { tables: new Map(), tableOrder: [], source: text };
  let cur: PendingTable | undefined;
  let comments: string[] = [];
  let pin: number | undefined;
  let last: Table | undefined;
  const lines = text.split("\n");
  const err = (line: number, tok: Token | undefined, msg: string) =>
    new ParseError(file, line, tok?.column ?? 1, tok?.text ?? "", msg);

  const takePin = () => {
    const p = pin;
    pin = undefined;
    return p;
  };
  for (let li = 0, next = 0; li < lines.length; li++) {
    if (li % PROGRESS_EVERY === 0 && li > 0) yield { done: li, total: lines.length };
    const lineNo = li + 1;
    const full = lines[li]!;
    // where the line starts in the file (a rule keeps it, to be built when its chain is read)
    const lineStart = next;
    next += full.length + 1;
    const raw = full.charCodeAt(full.length - 1) === 13 ? full.slice(0, -1) : full;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) {
      const h = /^#\s*ktrace:handle\s+(0x[0-9a-fA-F]+|\d+)\s*$/.exec(trimmed);
      if (h && cur) pin = Number(h[1]);
      else if (trimmed.startsWith("#") && !cur) comments.push(raw);
      continue;
    }
    if (trimmed.startsWith("*")) {
      const name = trimmed.slice(1).trim();
      const col = raw.indexOf("*") + 1;
      if (cur) throw new ParseError(file, lineNo, col, trimmed, `table "${name}" starts before COMMIT of table "${cur.table.name}"`);
      if (!(TABLE_NAMES as readonly string[]).includes(name)) {
        const hint = didYouMean(name, TABLE_NAMES);
        throw new ParseError(file, lineNo, col + 1, name, `table name '${name}' invalid${hint ? ` (did you mean ${hint}?)` : ""}`);
      }
      if (last) {
        // comments between two tables: "# Completed" belongs to the last, "# Generated" to the next
        const split = comments.findIndex((c) => !c.startsWith("# Completed"));
        const cut = split < 0 ? comments.length : split;
        last.after.push(...comments.slice(0, cut));
        comments = comments.slice(cut);
      }
      const table: Table = { name: name as TableName, chains: new Map(), order: [], before: comments, after: [] };
      cur = { table, nextHandle: 1, pinned: pinsOfTable(lines, li), jumps: [], lines: new TableLines(text, file, table), line: lineNo };
      comments = [];
      continue;
    }
    if (trimmed === "COMMIT") {
      if (!cur) throw new ParseError(file, lineNo, raw.indexOf("C") + 1, "COMMIT", "COMMIT without a table");
      commitTable(cur, file);
      if (!rs.tables.has(cur.table.name)) rs.tableOrder.push(cur.table.name);
      rs.tables.set(cur.table.name, cur.table);
      last = cur.table;
      cur = undefined;
      continue;
    }
    if (!cur) {
      const toks = tokenizeLine(raw, file, lineNo);
      throw err(lineNo, toks[0], `"${toks[0]?.text}" outside a table: a restore file starts each table with *raw, *mangle, *nat or *filter`);
    }
    if (trimmed.startsWith(":")) {
      parseChainLine(cur, raw, file, lineNo, takePin());
      continue;
    }
    const { toks, counters } = ruleLineWords(raw, file, lineNo);
    const cmd = toks[0];
    if (!cmd || cmd.text === "-6") continue; // iptables-restore skips IPv6-only lines
    const verb = cmd;
    if (verb.text === "-N" || verb.text === "--new-chain") {
      const nameTok = toks[1];
      if (!nameTok) throw err(lineNo, verb, `option "${verb.text}" requires a chain name`);
      declareChain(cur, nameTok, "-", file, lineNo);
      continue;
    }
    if (runChainCommand(cur, toks, file, lineNo)) continue;
    if (verb.text !== "-A" && verb.text !== "--append" && verb.text !== "-I" && verb.text !== "--insert") {
      throw err(lineNo, verb, `Bad argument \`${verb.text}' (a restore file line is *TABLE, :CHAIN POLICY, -A/-I/-D/-N/-X/-F/-P, COMMIT or a # comment)`);
    }
    const chainTok = toks[1];
    if (!chainTok) throw err(lineNo, verb, `option "${verb.text}" requires a chain name`);
    // the chain of the line before, or the one declared after it: iptables-save writes each
    // chain's rules together, in the order it declared the chains — a comparison or two instead of
    // hashing a new slice of the file into a map of 100,000 chains
    let chain = cur.lines.predictChain(cur.lastChain, chainTok.text) ?? (cur.table.chains.get(chainTok.text) as LoadedChain | undefined);
    if (!chain) {
      if (BUILTIN_CHAINS[cur.table.name].includes(chainTok.text)) chain = declareChain(cur, chainTok, "ACCEPT", file, lineNo);
      else {
        const hint = didYouMean(chainTok.text, cur.table.chains.keys());
        throw err(lineNo, chainTok, `chain "${chainTok.text}" does not exist in table ${cur.table.name}${hint ? ` (did you mean ${hint}?)` : ""}: declare it with ":${chainTok.text} - [0:0]"`);
      }
    }
    cur.lastChain = chain;
    const { rest, position } = ruleBody(toks);
    let insertAt: number | undefined;
    if (verb.text === "-I" || verb.text === "--insert") {
      insertAt = 0;
      if (position) {
        insertAt = Number(position.text) - 1;
        const count = ruleCount(chain);
        if (insertAt < 0 || insertAt > count) throw err(lineNo, position, `Index of insertion too big (chain ${chain.name} has ${count} rules)`);
      }
    }
    if (rest.some((t) => t.text === "-6" || t.text === "--ipv6")) continue; // IPv6-only rule: skipped
    let pinned = takePin();
    // `-s a,b -d c,d` is one rule per combination, in iptables' order
    const combinations = expandAddressLists(rest);
    for (let k = 0; k < combinations.length; k++) {
      const words = combinations[k]!;
      const draft = parseRuleWords(words, cur.table.name, chain.name, file, lineNo);
      checkInterfaces(draft, chain, words, file, lineNo);
      const handle = allocHandle(cur, pinned);
      pinned = undefined;
      const t = draft.target;
      // the chain a jump goes to, looked up once: declared already (iptables-save declares every
      // chain first) and not built-in, it needs no second look at COMMIT
      const to = t && (t.kind === "jump" || t.kind === "goto") ? (cur.lastJump?.name === t.chain ? cur.lastJump : (cur.table.chains.get(t.chain) as LoadedChain | undefined)) : undefined;
      if (to) cur.lastJump = to;
      if (t && (t.kind === "jump" || t.kind === "goto") && (!to || to.builtin)) cur.jumps.push({ line: lineNo, col: draft.jumpToken!.column, from: chain.name, to: t.chain, handle });
      if (chain.lazy) {
        const jump = !t || (t.kind !== "jump" && t.kind !== "goto") ? NO_JUMP : to ? to.index : cur.lines.laterChain(t.chain);
        const host = draft.dst && draft.dst.value.prefix === 32 ? draft.dst.value.addr : NO_HOST;
        chain.addRef({ line: lineNo, offset: lineStart, handle, combination: k, jump, host }, modulesOf(draft), insertAt === undefined ? undefined : insertAt++);
      } else {
        const rule = cur.lines.rule(draft, counters, chain, handle, words === rest ? raw : undefined, words);
        if (insertAt === undefined) chain.rules.push(rule);
        else chain.rules.splice(insertAt++, 0, rule);
      }
      if (++rulesRead > maxRules)
        throw new ParseError(file, lineNo, chainTok.column, chainTok.text, `too many rules: ktrace holds up to ${maxRules.toLocaleString("en-US")} (a 10,000-Service kube-proxy node has about 320,000); split the file, or load the tables you want to trace`);
    }
  }
  if (last) last.after.push(...comments);
  if (cur) throw new ParseError(file, lines.length, 1, "", `COMMIT expected at line ${lines.length} (table "${cur.table.name}" was never committed)`);
  return rs;
}

/** -s or -d, by any of their names (compared, not hashed: every word of 400,000 lines is asked). */
function isAddressFlag(w: string): boolean {
  return w.charCodeAt(0) === 45 && (w === "-s" || w === "-d" || w === "--source" || w === "--src" || w === "--destination" || w === "--dst");
}

function expandAddressLists(words: Token[]): Token[][] {
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

/** Handles pinned anywhere in the table starting at line index `start` (so none is handed out twice). */
function pinsOfTable(lines: string[], start: number): Set<number> {
  const pins = new Set<number>();
  for (let i = start + 1; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === "COMMIT") break;
    const h = /^#\s*ktrace:handle\s+(0x[0-9a-fA-F]+|\d+)\s*$/.exec(t);
    if (h) pins.add(Number(h[1]));
  }
  return pins;
}

/** The next free handle of the table, or the pinned one. */
function allocHandle(cur: PendingTable, pinned?: number): number {
  if (pinned !== undefined) return pinned;
  while (cur.pinned.has(cur.nextHandle)) cur.nextHandle++;
  return cur.nextHandle++;
}

/** -P, -F, -X and -D inside a restore file (as iptables-restore runs them, in order). */
function runChainCommand(cur: PendingTable, toks: Token[], file: string, lineNo: number): boolean {
  const verb = toks[0]!;
  const nameTok = toks[1];
  const table = cur.table;
  const chainOf = (t: Token | undefined) => {
    if (!t) throw new ParseError(file, lineNo, verb.column, verb.text, `option "${verb.text}" requires a chain name`);
    const c = table.chains.get(t.text);
    if (!c) throw new ParseError(file, lineNo, t.column, t.text, `line ${lineNo} failed: No chain/target/match by that name.`);
    return c;
  };
  switch (verb.text) {
    case "-P":
    case "--policy": {
      const c = chainOf(nameTok);
      const pol = toks[2];
      if (!c.builtin || !pol || (pol.text !== "ACCEPT" && pol.text !== "DROP"))
        throw new ParseError(file, lineNo, pol?.column ?? verb.column, pol?.text ?? "", `line ${lineNo} failed: Bad policy name.`);
      c.policy = pol.text;
      return true;
    }
    case "-F":
    case "--flush": {
      const chains = nameTok ? [chainOf(nameTok)] : [...table.chains.values()];
      for (const c of chains) {
        c.rules = [];
        cur.jumps = cur.jumps.filter((j) => j.from !== c.name);
      }
      return true;
    }
    case "-X":
    case "--delete-chain": {
      const victims = nameTok ? [chainOf(nameTok)] : [...table.chains.values()].filter((c) => !c.builtin);
      cur.lastChain = cur.lastJump = undefined;
      for (const c of victims) {
        if (c.builtin) throw new ParseError(file, lineNo, nameTok!.column, nameTok!.text, `Can't delete built-in chain ${c.name}`);
        if (chainInUse(table, c)) throw new RuleError(file, lineNo, `CHAIN_DEL failed (Device or resource busy): chain ${c.name}`);
        table.chains.delete(c.name);
        table.order = table.order.filter((n) => n !== c.name);
      }
      return true;
    }
    case "-D":
    case "--delete": {
      const c = chainOf(nameTok);
      const rest = toks.slice(2);
      const victim = c.rules[ruleToDelete(table, c, rest, file, lineNo)];
      if (!victim) throw new ParseError(file, lineNo, verb.column, verb.text, `line ${lineNo} failed: Bad rule (does a matching rule exist in that chain?).`);
      c.rules.splice(c.rules.indexOf(victim), 1);
      cur.jumps = cur.jumps.filter((j) => !(j.from === c.name && j.handle === victim.handle));
      return true;
    }
  }
  return false;
}

function declareChain(cur: PendingTable, nameTok: Token, policy: string, file: string, lineNo: number, pinned?: number): LoadedChain {
  const name = nameTok.text;
  const existing = cur.table.chains.get(name);
  // a builtin's ":INPUT ACCEPT" line, or a chain declared again, is not a new name to check
  const problem = existing || BUILTIN_CHAINS[cur.table.name].includes(name) ? undefined : chainNameProblem(name);
  if (problem) throw new ParseError(file, lineNo, nameTok.column, name, problem);
  if (existing) return existing as LoadedChain;
  const builtin = BUILTIN_CHAINS[cur.table.name].includes(name);
  const init = { name, builtin, policy: builtin ? (policy === "DROP" ? ("DROP" as const) : ("ACCEPT" as const)) : undefined, counters: [0, 0] as [number, number], handle: allocHandle(cur, pinned) };
  const chain = cur.lines.declare(init);
  cur.table.chains.set(name, chain);
  cur.table.order.push(name);
  return chain;
}

function parseChainLine(cur: PendingTable, raw: string, file: string, lineNo: number, pinned?: number) {
  const toks = tokenizeLine(raw, file, lineNo);
  const head = toks[0]!;
  const nameTok: Token = { text: head.text.slice(1), column: head.column + 1, quoted: false };
  if (!nameTok.text) throw new ParseError(file, lineNo, head.column, head.text, "chain line without a chain name");
  const pol = toks[1];
  const builtin = BUILTIN_CHAINS[cur.table.name].includes(nameTok.text);
  if (builtin && pol && pol.text !== "ACCEPT" && pol.text !== "DROP")
    throw new ParseError(file, lineNo, pol.column, pol.text, `Bad policy name "${pol.text}" (a built-in chain's policy is ACCEPT or DROP)`);
  const chain = declareChain(cur, nameTok, pol?.text ?? "-", file, lineNo, pinned);
  const cnt = toks[2] && /^\[(\d+):(\d+)\]$/.exec(toks[2].text);
  if (cnt) chain.counters = [Number(cnt[1]), Number(cnt[2])];
  if (builtin && pol) chain.policy = pol.text as "ACCEPT" | "DROP";
}

function checkInterfaces(d: RuleDraft, chain: Chain, toks: Token[], file: string, line: number) {
  if (!chain.builtin) return;
  const tok = (flag: string) => toks.find((t) => t.text === flag || t.text === (flag === "-o" ? "--out-interface" : "--in-interface"));
  if (d.oif && (chain.name === "INPUT" || chain.name === "PREROUTING")) {
    const t = tok("-o");
    throw new ParseError(file, line, t?.column ?? 1, t?.text ?? "-o", `Can't use -o with ${chain.name}`);
  }
  if (d.iif && (chain.name === "OUTPUT" || chain.name === "POSTROUTING")) {
    const t = tok("-i");
    throw new ParseError(file, line, t?.column ?? 1, t?.text ?? "-i", `Can't use -i with ${chain.name}`);
  }
}

/** At COMMIT: resolve jumps, then the kernel's validation of every path from a base chain. */
function commitTable(cur: PendingTable, file: string) {
  const { table } = cur;
  for (const j of cur.jumps) {
    const problem = jumpProblem(table, j.from, j.to);
    if (problem?.kind === "missing") throw new ParseError(file, j.line, j.col, j.to, problem.message);
    if (problem) throw new RuleError(file, j.line, problem.message);
  }
  const jumpNumber = (jump: number) => (table.chains.get(cur.lines.chainName(jump)) as LoadedChain).index;
  for (const c of table.chains.values()) {
    if (c instanceof LoadedChain && c.lazy) c.settle(jumpNumber);
    else if (c.rules.length > 0) {
      // built while the file was read (a -D or -F read the chain): jumps shared now that every chain
      // is known, and the array, grown by pushes, kept exactly as long as its rules
      for (const r of c.rules) if (r.target?.kind === "jump" || r.target?.kind === "goto") r.target = cur.lines.share(r.target.kind, r.target.chain);
      c.rules = c.rules.slice();
    }
  }
  validatePaths(table, file);
}

/** A rule line's words after its counters ("[pkts:bytes]") and a leading -4. */
function ruleLineWords(raw: string, file: string, lineNo: number): { toks: Token[]; counters?: [number, number] } {
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
function ruleBody(toks: Token[]): { rest: Token[]; position?: Token } {
  const rest = toks.slice(2);
  const verb = toks[0]!.text;
  if ((verb === "-I" || verb === "--insert") && rest[0] && /^\d+$/.test(rest[0].text)) return { rest: rest.slice(1), position: rest[0] };
  return { rest };
}

/** The extensions a rule uses (what a lazy chain keeps of it for the load-time checks). */
function modulesOf(draft: RuleDraft): RuleModule[] {
  const out: RuleModule[] = draft.matches.map((m) => m.module);
  if (draft.target?.kind === "ext") out.push(draft.target.module);
  return out;
}

/**
 * A table's rules, built from their lines in the file: at load for a chain something has already
 * read, later for the rest (LoadedChain). The lines were checked when the file was read, so
 * building one again gives the rule the load would have built.
 */
class TableLines implements RuleBuilder {
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

  /** `last`, or the chain declared after it, when its name is `name` (and it is still the table's). */
  predictChain(last: LoadedChain | undefined, name: string): LoadedChain | undefined {
    if (!last) return undefined;
    if (last.name === name) return last;
    const next = this.#chains[last.index + 1];
    return next && next.name === name && this.table.chains.get(next.name) === next ? next : undefined;
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

export interface Violation {
  rule: Rule; // the rule on the bad path (refined to the one that completed it)
  errno: string;
  detail: string;
}

/**
 * Linux: nft_chain_validate — walk every chain reachable from a base chain, carrying the hook it
 * is reachable from and the depth; loops and more than 15 nested jumps fail with EMLINK ("Too
 * many links"), targets and matches are checked against the hook. Only `usable` rules count, so
 * the caller can ask "was the ruleset still valid after the first k rules?".
 */
export function findViolation(table: Table, usable: (r: Rule) => boolean): Violation | undefined {
  // A chain already checked for a hook at a depth >= this one needs no second walk. (Keyed by
  // the chain object, one map per hook: a "hook chain" string key built per visit cost seconds.)
  const seenByHook = new Map<Hook, Map<Chain, number>>();
  const onStack = new Set<Chain>();
  const visit = (chain: Chain, hook: Hook, depth: number): Violation | undefined => {
    let seen = seenByHook.get(hook);
    if (!seen) seenByHook.set(hook, (seen = new Map()));
    if ((seen.get(chain) ?? -1) >= depth) return undefined;
    seen.set(chain, depth);
    onStack.add(chain);
    try {
    for (const rule of chain.rules) {
      if (!usable(rule)) continue;
      const refused = refusedInHook(rule, hook);
      if (refused) return { rule, errno: "Invalid argument", detail: refused };
      const t = rule.target;
      if (t?.kind === "jump" || t?.kind === "goto") {
        const next = table.chains.get(t.chain)!;
        if (onStack.has(next)) return { rule, errno: "Too many links", detail: `jump loop back to ${next.name}` };
        if (depth + 1 > MAX_JUMP_DEPTH) return { rule, errno: "Too many links", detail: `more than ${MAX_JUMP_DEPTH} nested jumps from ${hook}` };
        const v = visit(next, hook, depth + 1);
        if (v) return v;
      }
    }
    return undefined;
    } finally {
      onStack.delete(chain);
    }
  };
  for (const name of table.order) {
    const chain = table.chains.get(name)!;
    if (!chain.builtin) continue;
    const v = visit(chain, name as Hook, 0);
    if (v) return v;
  }
  return undefined;
}

/**
 * The kernel checks each rule as the batch adds it, so the rule it blames is the first one (in
 * file order) after which a bad path exists — possibly the `-A INPUT -j c1` at the very end.
 */
function validatePaths(table: Table, file: string) {
  if (provablyValid(table)) return;
  const all = findViolation(table, () => true);
  if (!all) return;
  // the rules in the order the file added them (a line's rules are one chain's, in its order)
  const added = [...table.chains.values()].flatMap((c) => c.rules.map((rule) => ({ rule, line: rule.origin.line })));
  added.sort((x, y) => x.line - y.line);
  const order = new Map<Rule, number>();
  added.forEach((a, i) => order.set(a.rule, i));
  let lo = 0;
  let hi = added.length; // invariant: the first `hi` rules violate, the first `lo` do not
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (findViolation(table, (r) => (order.get(r) ?? Infinity) < mid)) hi = mid;
    else lo = mid;
  }
  const blamed = added[hi - 1]!;
  const v = findViolation(table, (r) => (order.get(r) ?? Infinity) < hi) ?? all;
  throw new RuleError(file, blamed.line, `RULE_APPEND failed (${v.errno}): rule in chain ${blamed.rule.chain} (${v.detail})`);
}

const HOOK_BITS: Hook[] = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];

/**
 * The common case, proved fast: no loop, no path deeper than MAX_JUMP_DEPTH, no hook-restricted
 * extension reachable from a hook that refuses it. When this says true, findViolation would find
 * nothing; when false, findViolation walks again to name the rule to blame.
 * Why: findViolation follows jumps rule by rule, touching the rules in jump order, scattered in
 * memory — 700,000 rule visits, about two seconds, on a 10,000-Service node. This reads each
 * chain's rules once, in file order, into a small graph of chain numbers, and reasons on that.
 */
export function provablyValid(table: Table): boolean {
  const chains = [...table.chains.values()];
  // by name: a jump's chain is the chain's own name string (interned at COMMIT), one lookup a jump
  const number = new Map<string, number>();
  chains.forEach((c, i) => number.set(c.name, i));
  const jumps: number[][] = [];
  // what a chain's extensions allow, worked out once per list of extensions (unbuilt chains with
  // the same extensions share one list): bit `1 << hook` set when a target's hook list excludes
  // the hook; RULES_DECIDE when an extension's options decide it (allowedIn), rule by rule
  const RULES_DECIDE = 1 << HOOK_BITS.length;
  const refusalsOf = new Map<readonly RuleModule[], number>();
  const refusals: number[] = [];
  for (const c of chains) {
    jumps.push(jumpTargets(c).map((name) => number.get(name)!));
    const modules = chainModules(c);
    let r = refusalsOf.get(modules);
    if (r === undefined) {
      r = 0;
      for (const m of modules) {
        if (m.allowedIn) r |= RULES_DECIDE;
        if (m.kind === "target" && m.hooks) for (const [b, hook] of HOOK_BITS.entries()) if (!m.hooks.includes(hook)) r |= 1 << b;
      }
      refusalsOf.set(modules, r);
    }
    refusals.push(r);
  }
  // heights (the longest run of jumps below a chain), depth first without recursion; a chain met
  // again while still open is a loop
  const height = new Int32Array(chains.length).fill(-1);
  const open = new Uint8Array(chains.length);
  // (from the base chains only: a loop among chains no hook reaches is no violation)
  for (let root = 0; root < chains.length; root++) {
    if (!chains[root]!.builtin || height[root]! >= 0) continue;
    const stack: [number, number][] = [[root, 0]];
    open[root] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [c, k] = top;
      const js = jumps[c]!;
      if (k < js.length) {
        top[1]++;
        const n = js[k]!;
        if (open[n]) return false;
        if (height[n]! < 0) {
          open[n] = 1;
          stack.push([n, 0]);
        }
        continue;
      }
      let h = 0;
      for (const n of js) h = Math.max(h, height[n]! + 1);
      height[c] = h;
      open[c] = 0;
      stack.pop();
    }
  }
  // which hooks reach each chain, as bits
  const mask = new Uint8Array(chains.length);
  for (const [i, c] of chains.entries()) {
    if (!c.builtin) continue;
    const hook = HOOK_BITS.indexOf(c.name as Hook);
    if (hook < 0) continue;
    if (height[i]! > MAX_JUMP_DEPTH) return false;
    const bit = 1 << hook;
    const reach = [i];
    while (reach.length) {
      const n = reach.pop()!;
      if (mask[n]! & bit) continue;
      mask[n]! |= bit;
      for (const m of jumps[n]!) if (!(mask[m]! & bit)) reach.push(m);
    }
  }
  // the chains with hook-restricted extensions, checked against the hooks that reach them: by
  // their targets' hook lists (DNAT in every KUBE-SEP chain) without building their rules, and
  // rule by rule where options decide (addrtype's --limit-iface-in)
  for (let i = 0; i < chains.length; i++) {
    const r = refusals[i]!;
    if (!r || !mask[i]) continue;
    if (r & mask[i]!) return false;
    if (r & RULES_DECIDE) for (const rule of chains[i]!.rules) for (const [b, hook] of HOOK_BITS.entries()) if (mask[i]! & (1 << b) && refusedInHook(rule, hook)) return false;
  }
  return true;
}

/**
 * Why the kernel refuses this rule in a chain reached from `hook` (a target's hooks or
 * checkentry, a match's allowedIn), in its words; undefined when it accepts it.
 */
function refusedInHook(rule: Rule, hook: Hook): string | undefined {
  const t = rule.target;
  if (t?.kind === "ext" && t.module.hooks && !t.module.hooks.includes(hook)) return `${t.module.name} is not allowed in the ${hook} hook; valid: ${t.module.hooks.join(", ")}`;
  const m = rule.matches.find((x) => x.module.allowedIn && !x.module.allowedIn(x.data, hook))?.module.name;
  if (m) return `-m ${m} cannot be used in the ${hook} hook`;
  if (t?.kind === "ext" && t.module.allowedIn && !t.module.allowedIn(t.data, hook)) return `-j ${t.module.name} with these options cannot be used in the ${hook} hook`;
  return undefined;
}

