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
import type { Hook } from "../walk/hooks.js";

/** Linux: NFT_JUMP_STACK_SIZE — 15 nested jumps from a base chain are fine, a 16th is not. */
export const MAX_JUMP_DEPTH = 15;

interface PendingTable {
  table: Table;
  nextHandle: number;
  /** handles pinned with "# ktrace:handle N" (the node's real handles, e.g. from `nft -a`) */
  pinned: Set<number>;
  /** The rules added, in file order (the kernel adds them in this order; validation blames by it). */
  added: Rule[];
  /** The jumps and gotos among them, with the column of the target's name, checked at COMMIT. */
  jumps: { rule: Rule; col: number }[];
  line: number;
}

export interface ParseOptions {
  file?: string;
  /** The most rules a file may hold (default MAX_RULES); tests set a small one. */
  maxRules?: number;
}

/**
 * The most rules ktrace holds: memory grows about 1.2 KB a rule, so a million is over a gigabyte.
 * A 10,000-Service kube-proxy node has about 320,000; a file of ten million ends with a clear
 * message at the rule past the limit, not with the process out of memory.
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
  let ruleCount = 0;
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
  for (let li = 0; li < lines.length; li++) {
    if (li % PROGRESS_EVERY === 0 && li > 0) yield { done: li, total: lines.length };
    const lineNo = li + 1;
    const full = lines[li]!;
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
      cur = { table: { name: name as TableName, chains: new Map(), order: [], before: comments, after: [] }, nextHandle: 1, pinned: pinsOfTable(lines, li), added: [], jumps: [], line: lineNo };
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
    let toks = tokenizeLine(raw, file, lineNo);
    const long = raw.length >= 1024 ? toks.find((t) => t.text.length >= 1024) : undefined;
    if (long) throw new ParseError(file, lineNo, long.column, long.text.slice(0, 20) + "...", "Parameter too long! (iptables takes words of up to 1023 bytes)");
    let counters: [number, number] | undefined;
    const first = toks[0]!;
    const cm = first.text.startsWith("[") ? /^\[(\d+):(\d+)\]$/.exec(first.text) : null;
    if (cm) {
      counters = [Number(cm[1]), Number(cm[2])];
      toks = toks.slice(1);
    }
    const cmd = toks[0];
    if (!cmd) continue;
    if (cmd.text === "-4") {
      toks = toks.slice(1);
    } else if (cmd.text === "-6") continue; // iptables-restore skips IPv6-only lines
    const verb = toks[0]!;
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
    let chain = cur.table.chains.get(chainTok.text);
    if (!chain) {
      if (BUILTIN_CHAINS[cur.table.name].includes(chainTok.text)) chain = declareChain(cur, chainTok, "ACCEPT", file, lineNo);
      else {
        const hint = didYouMean(chainTok.text, cur.table.chains.keys());
        throw err(lineNo, chainTok, `chain "${chainTok.text}" does not exist in table ${cur.table.name}${hint ? ` (did you mean ${hint}?)` : ""}: declare it with ":${chainTok.text} - [0:0]"`);
      }
    }
    let rest = toks.slice(2);
    let insertAt: number | undefined;
    if (verb.text === "-I" || verb.text === "--insert") {
      insertAt = 0;
      const pos = rest[0];
      if (pos && /^\d+$/.test(pos.text)) {
        insertAt = Number(pos.text) - 1;
        if (insertAt < 0 || insertAt > chain.rules.length) throw err(lineNo, pos, `Index of insertion too big (chain ${chain.name} has ${chain.rules.length} rules)`);
        rest = rest.slice(1);
      }
    }
    if ((raw.includes("-6") || raw.includes("--ipv6")) && rest.some((t) => t.text === "-6" || t.text === "--ipv6")) continue; // IPv6-only rule: skipped
    let pinned = takePin();
    // `-s a,b -d c,d` is one rule per combination, in iptables' order
    for (const words of expandAddressLists(rest)) {
      const draft = parseRuleWords(words, cur.table.name, chain.name, file, lineNo);
      if (counters) draft.counters = counters;
      checkInterfaces(draft, chain, words, file, lineNo);
      // the line as written, when it is already as iptables-save writes the rule (a slice of the
      // file, not a copy: a 400,000-rule node keeps tens of megabytes less)
      const written = words === rest && words[0] ? raw.slice(words[0].column - 1).trimEnd() : undefined;
      const rule = ruleFromDraft(draft, chain, allocHandle(cur, pinned), draft.origin, written);
      pinned = undefined;
      if (insertAt === undefined) chain.rules.push(rule);
      else chain.rules.splice(insertAt++, 0, rule);
      cur.added.push(rule);
      if (draft.jumpToken) cur.jumps.push({ rule, col: draft.jumpToken.column });
      if (++ruleCount > maxRules)
        throw new ParseError(file, lineNo, chainTok.column, chainTok.text, `too many rules: ktrace holds up to ${maxRules.toLocaleString("en-US")} (a 10,000-Service kube-proxy node has about 320,000); split the file, or load the tables you want to trace`);
    }
  }
  if (last) last.after.push(...comments);
  if (cur) throw new ParseError(file, lines.length, 1, "", `COMMIT expected at line ${lines.length} (table "${cur.table.name}" was never committed)`);
  return rs;
}

const ADDR_FLAGS = new Set(["-s", "--source", "--src", "-d", "--destination", "--dst"]);

function expandAddressLists(words: Token[]): Token[][] {
  let lists = false;
  for (let i = 0; i + 1 < words.length; i++) if (ADDR_FLAGS.has(words[i]!.text) && words[i + 1]!.text.includes(",")) lists = true;
  if (!lists) return [words];
  let out: Token[][] = [[]];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = words[i + 1];
    if (ADDR_FLAGS.has(w.text) && next && next.text.includes(",")) {
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
        cur.added = cur.added.filter((r) => r.chain !== c.name);
        cur.jumps = cur.jumps.filter((j) => j.rule.chain !== c.name);
      }
      return true;
    }
    case "-X":
    case "--delete-chain": {
      const victims = nameTok ? [chainOf(nameTok)] : [...table.chains.values()].filter((c) => !c.builtin);
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
      cur.added = cur.added.filter((r) => r !== victim);
      cur.jumps = cur.jumps.filter((j) => j.rule !== victim);
      return true;
    }
  }
  return false;
}

function declareChain(cur: PendingTable, nameTok: Token, policy: string, file: string, lineNo: number, pinned?: number): Chain {
  const name = nameTok.text;
  const existing = cur.table.chains.get(name);
  // a builtin's ":INPUT ACCEPT" line, or a chain declared again, is not a new name to check
  const problem = existing || BUILTIN_CHAINS[cur.table.name].includes(name) ? undefined : chainNameProblem(name);
  if (problem) throw new ParseError(file, lineNo, nameTok.column, name, problem);
  if (existing) return existing;
  const builtin = BUILTIN_CHAINS[cur.table.name].includes(name);
  const chain: Chain = {
    name,
    builtin,
    policy: builtin ? (policy === "DROP" ? "DROP" : "ACCEPT") : undefined,
    counters: [0, 0],
    rules: [],
    handle: allocHandle(cur, pinned),
  };
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
  // one jump (and one goto) object per target chain, shared by every rule that jumps there
  const shared = { jump: new Map<string, TargetInstance>(), goto: new Map<string, TargetInstance>() };
  for (const { rule, col } of cur.jumps) {
    const t = rule.target;
    const line = rule.origin.line;
    if (t && (t.kind === "jump" || t.kind === "goto")) {
      const problem = jumpProblem(table, rule.chain, t.chain);
      if (problem?.kind === "missing") throw new ParseError(file, line, col, t.chain, problem.message);
      if (problem) throw new RuleError(file, line, problem.message);
      const target = table.chains.get(t.chain)!;
      // with the chain's own name string: every later lookup of a jump target compares one string
      // object with itself, not a slice of the file with another (seconds on a 400,000-rule node)
      const byName = shared[t.kind];
      let one = byName.get(target.name);
      if (!one) byName.set(target.name, (one = { kind: t.kind, chain: target.name }));
      rule.target = one;
    }
  }
  validatePaths(cur, file);
  // a chain's array grew by pushes, with room to spare: keep it exactly as long as its rules
  for (const c of table.chains.values()) if (c.rules.length > 0) c.rules = c.rules.slice();
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
function validatePaths(cur: PendingTable, file: string) {
  if (provablyValid(cur.table)) return;
  const all = findViolation(cur.table, () => true);
  if (!all) return;
  const order = new Map<Rule, number>();
  cur.added.forEach((r, i) => order.set(r, i));
  let lo = 0;
  let hi = cur.added.length; // invariant: the first `hi` rules violate, the first `lo` do not
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (findViolation(cur.table, (r) => (order.get(r) ?? Infinity) < mid)) hi = mid;
    else lo = mid;
  }
  const blamed = cur.added[hi - 1]!;
  const v = findViolation(cur.table, (r) => (order.get(r) ?? Infinity) < hi) ?? all;
  throw new RuleError(file, blamed.origin.line, `RULE_APPEND failed (${v.errno}): rule in chain ${blamed.chain} (${v.detail})`);
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
  const restricted: boolean[] = [];
  for (const c of chains) {
    const out: number[] = [];
    let r = false;
    for (const rule of c.rules) {
      const t = rule.target;
      if (t?.kind === "jump" || t?.kind === "goto") out.push(number.get(t.chain)!);
      else if (t?.kind === "ext" && (t.module.hooks || t.module.allowedIn)) r = true;
      if (!r) for (const m of rule.matches) if (m.module.allowedIn) r = true;
    }
    jumps.push(out);
    restricted.push(r);
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
  // the few chains with hook-restricted rules, checked against the hooks that reach them
  for (const [i, c] of chains.entries()) {
    if (!restricted[i] || !mask[i]) continue;
    for (const rule of c.rules) for (const [b, hook] of HOOK_BITS.entries()) if (mask[i]! & (1 << b) && refusedInHook(rule, hook)) return false;
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

