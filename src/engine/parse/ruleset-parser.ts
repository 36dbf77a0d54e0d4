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
import { BUILTIN_CHAINS, TABLE_NAMES, type Chain, type Ruleset, type Table, type TableName } from "../model/ruleset.js";
import { chainNameProblem } from "./chain-name.js";
import { runToEnd } from "../steps.js";
import { chainInUse, jumpProblem, ruleToDelete } from "./ruleset-edit.js";
import { LoadedChain, NO_HOST, NO_JUMP, ruleCount } from "../model/loaded-chain.js";
import { TableLines, expandAddressLists, modulesOf, ruleBody, ruleLineWords } from "./rule-lines.js";
import { validatePaths } from "./path-validation.js";

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
  /** a stage of a longer load, said with its count (or alone, with total 0): "writing kube-proxy's rules" */
  stage?: string;
  /** what the stage counts, when not lines: "Service ports" */
  unit?: string;
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
  // lines are cut from the text one at a time: an array of 400,000 of them would outlive the load's
  // young garbage and be copied by every collection until it ends
  const lineCount = countLines(text);
  const err = (line: number, tok: Token | undefined, msg: string) =>
    new ParseError(file, line, tok?.column ?? 1, tok?.text ?? "", msg);

  const takePin = () => {
    const p = pin;
    pin = undefined;
    return p;
  };
  for (let li = 0, next = 0; li < lineCount; li++) {
    if (li % PROGRESS_EVERY === 0 && li > 0) yield { done: li, total: lineCount };
    const lineNo = li + 1;
    // where the line starts in the file (a rule keeps it, to be built when its chain is read)
    const lineStart = next;
    const end = text.indexOf("\n", lineStart);
    next = end < 0 ? text.length + 1 : end + 1;
    const full = text.slice(lineStart, next - 1);
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
      cur = { table, nextHandle: 1, pinned: pinsOfTable(text, next), jumps: [], lines: new TableLines(text, file, table), line: lineNo };
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
      const jumpsTo = t && (t.kind === "jump" || t.kind === "goto") ? t.chain : undefined;
      // the chain a jump goes to, looked up once: declared already (iptables-save declares every
      // chain first) and not built-in, it needs no second look at COMMIT
      const to = jumpsTo === undefined ? undefined : cur.lastJump?.name === jumpsTo ? cur.lastJump : (cur.table.chains.get(jumpsTo) as LoadedChain | undefined);
      if (to) cur.lastJump = to;
      if (jumpsTo !== undefined && (!to || to.builtin)) cur.jumps.push({ line: lineNo, col: draft.jumpToken!.column, from: chain.name, to: jumpsTo, handle });
      if (chain.lazy) {
        const jump = jumpsTo === undefined ? NO_JUMP : to ? to.index : cur.lines.laterChain(jumpsTo);
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
  if (cur) throw new ParseError(file, lineCount, 1, "", `COMMIT expected at line ${lineCount} (table "${cur.table.name}" was never committed)`);
  return rs;
}

/** The lines of a text as split("\n") would count them. */
function countLines(text: string): number {
  let n = 1;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) n++;
  return n;
}

/** Handles pinned anywhere in the table whose lines start at `from` (so none is handed out twice). */
function pinsOfTable(text: string, from: number): Set<number> {
  const pins = new Set<number>();
  if (text.indexOf("ktrace:handle", from) < 0) return pins;
  for (let at = from; at <= text.length; ) {
    const end = text.indexOf("\n", at);
    const t = text.slice(at, end < 0 ? text.length : end).trim();
    if (t === "COMMIT") break;
    const h = /^#\s*ktrace:handle\s+(0x[0-9a-fA-F]+|\d+)\s*$/.exec(t);
    if (h) pins.add(Number(h[1]));
    if (end < 0) break;
    at = end + 1;
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
        if (c instanceof LoadedChain) cur.lines.deleted(c);
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

