/**
 * Parses the words of one rule (`-s 10.0.0.0/8 -p tcp -m tcp --dport 80 -j ACCEPT`) into a Rule,
 * and prints a Rule back exactly as iptables-save does.
 *
 * Why: iptables' own grammar is positional and module-driven — an option belongs to the match
 * or target most recently named, `!` binds to the next option, `-p tcp --dport` loads the tcp
 * match implicitly. Errors name the exact token so users can fix their files.
 */
import { ParseError, RuleError, didYouMean } from "./errors.js";
import type { Token } from "./tokenize.js";
import { parseProtocol, protocolName } from "./protocols.js";
import { MATCHES, PROTO_MATCH, TARGETS, UNMODELED_TARGETS } from "../ext/registry.js";
import type { AnyMatch, AnyTarget, BuildCtx, OptionSpec, OptionUse } from "../ext/types.js";
import type { MatchInstance, Negatable, Rule, TableName, TargetInstance } from "../model/ruleset.js";
import { formatCidr, octetTooBig, parseCidrLoose, type Cidr } from "../model/ipv4.js";

const VERDICTS = new Set(["ACCEPT", "DROP", "RETURN"]);

interface Pending {
  module: AnyMatch | AnyTarget;
  kind: "match" | "target";
  uses: OptionUse[];
  implicit: boolean;
  token: Token;
}

export interface RuleDraft extends Omit<Rule, "handle" | "text" | "target"> {
  target?: TargetInstance;
  /** Jump/goto target word, resolved once all chains of the table are known. */
  jumpToken?: Token;
}

/** `-p` clauses, one object each (a 400,000-rule node has a handful of distinct ones); never changed. */
const PROTO_CLAUSES = new Map<number, Negatable<number>>();
function protoClause(value: number, negated: boolean): Negatable<number> {
  const key = value * 2 + (negated ? 1 : 0);
  let c = PROTO_CLAUSES.get(key);
  if (!c) PROTO_CLAUSES.set(key, (c = Object.freeze({ value, negated })));
  return c;
}

/** Each extension's options by name and alias, made once (every option word of a 400,000-line file is looked up). */
const EXACT = new WeakMap<OptionSpec[], Map<string, OptionSpec>>();
function exactOptions(specs: OptionSpec[]): Map<string, OptionSpec> {
  let byName = EXACT.get(specs);
  if (!byName) {
    byName = new Map();
    // the first spec that claims a name wins, as a search in order would find it
    for (const s of specs) for (const n of [s.name, ...(s.aliases ?? [])]) if (!byName.has(n)) byName.set(n, s);
    EXACT.set(specs, byName);
  }
  return byName;
}

/** An option by its name or alias, or — as getopt_long allows — an unambiguous prefix of one. */
function findOption(specs: OptionSpec[], name: string): OptionSpec | undefined {
  const exact = exactOptions(specs).get(name);
  if (exact) return exact;
  const prefixed = specs.filter((s) => [s.name, ...(s.aliases ?? [])].some((n) => n.startsWith(name)));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

export function parseRuleWords(toks: Token[], table: TableName, chain: string, file: string, line: number): RuleDraft {
  const fail = (tok: Token, msg: string): never => {
    throw new ParseError(file, line, tok.column, tok.text, msg);
  };
  const draft: RuleDraft = { table, chain, matches: [], origin: { file, line } };
  const pending: Pending[] = [];
  let target: Pending | undefined;
  // the extensions whose options iptables has merged into its option table, in the order they
  // were first loaded (a second `-m mark` is a clone: nothing new is merged)
  const merged: Pending["module"][] = [];
  let i = 0;
  let negate: Token | undefined;
  const next = (opt: Token): Token => {
    const t = toks[++i];
    if (!t) fail(opt, `option "${opt.text}" requires an argument`);
    return t!;
  };
  const takeNeg = (): boolean => {
    const n = negate !== undefined;
    negate = undefined;
    return n;
  };
  const setOnce = <K extends "src" | "dst" | "iif" | "oif" | "proto" | "frag">(key: K, tok: Token, v: RuleDraft[K]) => {
    if (draft[key] !== undefined) fail(tok, `multiple ${tok.text} flags not allowed`);
    draft[key] = v;
  };
  const addr = (opt: Token): Negatable<Cidr> => {
    const neg = takeNeg();
    const a = next(opt);
    const c = parseCidrLoose(a.text);
    if (!c) {
      const big = octetTooBig(a.text);
      fail(a, `host/network "${a.text}" not found${big ? ` (${big.octet} is more than 255: each number of an address is 0 to 255)` : ""}`);
    }
    if (neg && c!.prefix === 0) fail(a, `RULE_APPEND failed (Invalid argument): the nft kernel refuses a negated /0 address ("! ${opt.text} ${a.text}" matches nothing)`);
    return { value: c!, negated: neg };
  };
  const iface = (opt: Token): Negatable<string> => {
    const neg = takeNeg();
    const a = next(opt);
    if (a.text.length > 15 || a.text.length === 0 || /[\s/]/.test(a.text)) fail(a, `interface name "${a.text}" is invalid`);
    return { value: a.text, negated: neg };
  };

  for (; i < toks.length; i++) {
    const tok = toks[i]!;
    const w = tok.text;
    if (w === "!") {
      if (negate) fail(tok, "multiple consecutive ! not allowed");
      negate = tok;
      continue;
    }
    switch (w) {
      case "-s": case "--source": case "--src":
        setOnce("src", tok, addr(tok));
        continue;
      case "-d": case "--destination": case "--dst":
        setOnce("dst", tok, addr(tok));
        continue;
      case "-i": case "--in-interface":
        setOnce("iif", tok, iface(tok));
        continue;
      case "-o": case "--out-interface":
        setOnce("oif", tok, iface(tok));
        continue;
      case "-p": case "--protocol": {
        const neg = takeNeg();
        const a = next(tok);
        const p = parseProtocol(a.text);
        if (p === undefined) fail(a, `unknown protocol "${a.text}" specified`);
        if (neg && p === 0) fail(a, `rule would never match protocol`);
        setOnce("proto", tok, protoClause(p!, neg));
        continue;
      }
      case "-f": case "--fragment":
        setOnce("frag", tok, { value: true, negated: takeNeg() });
        continue;
      case "-4": case "--ipv4":
        continue;
      case "-c": case "--set-counters": {
        const a = next(tok);
        const b = next(tok);
        draft.counters = [Number(a.text), Number(b.text)];
        continue;
      }
      case "-m": case "--match": {
        if (negate) fail(negate, `unexpected "!" before ${w}`);
        const a = next(tok);
        const mod = MATCHES.get(a.text);
        if (!mod) {
          const hint = didYouMean(a.text, [...MATCHES.keys()]);
          fail(a, `unknown match "${a.text}"${hint ? ` (did you mean ${hint}?)` : ""}`);
        }
        pending.push({ module: mod!, kind: "match", uses: [], implicit: false, token: a });
        if (!merged.includes(mod!)) merged.push(mod!);
        continue;
      }
      case "-j": case "--jump": case "-g": case "--goto": {
        if (negate) fail(negate, `unexpected "!" before ${w}`);
        if (target || draft.target) fail(tok, `multiple ${w.startsWith("-g") || w === "--goto" ? "-g" : "-j"} flags not allowed`);
        const a = next(tok);
        const goto = w === "-g" || w === "--goto";
        const ext = goto ? undefined : TARGETS.get(a.text);
        if (ext) {
          target = { module: ext, kind: "target", uses: [], implicit: false, token: a };
          if (!merged.includes(ext)) merged.push(ext);
        } else if (!goto && UNMODELED_TARGETS.has(a.text)) {
          fail(a, `unknown target "${a.text}" (ktrace does not model this extension)`);
        } else if (!goto && VERDICTS.has(a.text)) {
          draft.target = { kind: "verdict", name: a.text as "ACCEPT" | "DROP" | "RETURN" };
        } else {
          draft.target = { kind: goto ? "goto" : "jump", chain: a.text };
          draft.jumpToken = a;
        }
        continue;
      }
    }
    if (!w.startsWith("--")) {
      if (w.startsWith("-") && w.length === 2) fail(tok, `option "${w}" is not allowed in a rule`);
      // text pasted from a web page or a word processor: typographic dashes for "--"
      const typographic = /^[\u2010-\u2015\u2212]/.test(w) ? `--${w.replace(/^[\u2010-\u2015\u2212]+/, "").replace(/^-+/, "")}` : undefined;
      fail(tok, typographic ? `unexpected word "${w}": a typographic dash, not "--" (did you mean "${typographic}"?)` : `unexpected word "${w}"`);
    }
    // an extension option: as getopt finds it in iptables' merged table, the extension loaded
    // (first) most recently that knows the name; then its latest instance, earlier ones being
    // complete. So in `-m mark --mark 1 -m connmark --mark 2 -m mark --mark 3` the third --mark is
    // connmark's, a second one, and the rule is refused (measured). Failing that, an implicit
    // protocol match.
    const name = w.slice(2);
    let owner: Pending | undefined;
    const known = merged.findLast((m) => findOption(m.options, name));
    if (known) owner = target?.module === known ? target : pending.findLast((p) => p.module === known);
    if (!owner && draft.proto && !draft.proto.negated) {
      const implicitName = PROTO_MATCH[draft.proto.value];
      const mod = implicitName ? MATCHES.get(implicitName) : undefined;
      if (mod && findOption(mod.options, name) && !pending.some((p) => p.module === mod)) {
        owner = { module: mod, kind: "match", uses: [], implicit: true, token: tok };
        pending.push(owner);
        if (!merged.includes(mod)) merged.push(mod);
      }
    }
    if (!owner && draft.jumpToken && !target && /^[A-Z][A-Z0-9_]*$/.test(draft.jumpToken.text)) {
      fail(draft.jumpToken, `unknown target "${draft.jumpToken.text}" (ktrace does not model this extension; known targets: ${[...TARGETS.keys()].join(", ")})`);
    }
    if (!owner) {
      const last = target ?? pending[pending.length - 1];
      if (last) {
        const names = last.module.options.flatMap((o) => [o.name, ...(o.aliases ?? [])]);
        const hint = didYouMean(name, names);
        fail(tok, `unknown option "${w}" for ${last.kind} "${last.module.name}"${hint ? ` (did you mean --${hint}?)` : ""}`);
      }
      fail(tok, `unknown option "${w}"`);
    }
    const spec = findOption(owner!.module.options, name)!;
    // as iptables checks it, when the option is read (before any extension says what it lacks)
    if (owner!.uses.some((u) => u.name === spec.name)) {
      const latest = target ?? pending[pending.length - 1]!;
      const why = latest.module !== owner!.module && findOption(latest.module.options, name)
        ? ` (iptables gives --${name} to ${owner!.module.name}, the extension loaded last that takes it, not to the ${latest.kind === "target" ? "-j" : "-m"} ${latest.module.name} just before)`
        : "";
      fail(tok, `${owner!.module.name}: option "--${spec.name}" can only be used once${why}`);
    }
    let neg = takeNeg();
    if (neg && !spec.negatable) fail(tok, `option "${w}" cannot be inverted`);
    const argc = spec.args ?? 1;
    const args: string[] = [];
    const argTokens: Token[] = [];
    for (let a = 0; a < argc; a++) {
      // like getopt, the next word is the argument whatever it looks like (iptables-save writes
      // `--comment -j` unquoted); the extension then says whether it makes sense
      const t = next(tok);
      args.push(t.text);
      argTokens.push(t);
    }
    owner!.uses.push({ name: spec.name, negated: neg, args, token: tok, argTokens });
  }
  if (negate) fail(negate, `"!" must be followed by an option`);

  let current: Token | undefined; // the -m/-j word of the module being built
  const ctx: BuildCtx = {
    table,
    chain,
    proto: draft.proto?.value,
    protoNegated: draft.proto?.negated,
    fail,
    reject(message: string): never {
      throw new ParseError(file, line, current?.column ?? 1, current?.text ?? "", message);
    },
    kernelReject(message: string): never {
      throw new RuleError(file, line, `RULE_APPEND failed (Invalid argument): rule in chain ${chain} (${message})`);
    },
  };
  // (map, not push: the array is exactly as long as the rule's matches, for 400,000 rules kept)
  draft.matches = pending.map((p): MatchInstance => {
    const m = p.module as AnyMatch;
    if (p.uses.length === 0 && m.requiresOption) fail(p.token, m.requiresOption);
    if (m.needsProto && (!draft.proto || draft.proto.negated || !m.needsProto.includes(draft.proto.value)) && !p.implicit)
      fail(p.token, m.needsProtoError ?? `match "${m.name}" needs "-p ${m.name}" on the rule`);
    current = p.token;
    return { module: m, data: m.build(p.uses, ctx), implicit: p.implicit };
  });
  mergeProtocolMatches(draft);
  if (target) {
    const t = target.module as AnyTarget;
    if (t.tables && !t.tables.includes(table)) ctx.kernelReject(`target ${t.name} is only valid in the ${t.tables.join("/")} table, not ${table}`);
    current = target.token;
    draft.target = { kind: "ext", module: t, data: t.build(target.uses, ctx) };
  }
  return draft;
}

/**
 * iptables-nft folds every `-m tcp` (or `-m udp`) of a rule into one match at the first one's
 * place; a later option overwrites an earlier one (measured: `--dport 22 -m tcp --dport 23`
 * saves as `--dport 23`).
 */
function mergeProtocolMatches(d: RuleDraft) {
  if (d.matches.length < 2) return;
  for (const name of ["tcp", "udp"]) {
    const idx = d.matches.flatMap((m, i) => (m.module.name === name ? [i] : []));
    if (idx.length < 2) continue;
    const first = d.matches[idx[0]!]!;
    const merged = Object.assign({}, ...idx.map((i) => d.matches[i]!.data as object));
    d.matches[idx[0]!] = { ...first, data: merged };
    d.matches = d.matches.filter((_, i) => !idx.slice(1).includes(i));
  }
}

function neg<T>(n: Negatable<T> | undefined): string {
  return n?.negated ? "! " : "";
}

/** The rule as iptables-save prints it after "-A CHAIN". Linux/iptables: nft_ipv4_save_rule order. */
export function saveRuleText(r: Omit<Rule, "handle" | "text">): string {
  const p: string[] = [];
  if (r.src && !(r.src.value.prefix === 0 && !r.src.negated)) p.push(`${neg(r.src)}-s ${formatCidr(r.src.value)}`);
  if (r.dst && !(r.dst.value.prefix === 0 && !r.dst.negated)) p.push(`${neg(r.dst)}-d ${formatCidr(r.dst.value)}`);
  if (r.iif && !(r.iif.value === "+" && !r.iif.negated)) p.push(`${neg(r.iif)}-i ${r.iif.value}`);
  if (r.oif && !(r.oif.value === "+" && !r.oif.negated)) p.push(`${neg(r.oif)}-o ${r.oif.value}`);
  if (r.proto && !(r.proto.value === 0 && !r.proto.negated)) p.push(`${neg(r.proto)}-p ${protocolName(r.proto.value)}`);
  if (r.frag) p.push(`${neg(r.frag)}-f`);
  for (const m of r.matches) {
    const opts = m.module.save(m.data);
    p.push(opts ? `-m ${m.module.name} ${opts}` : `-m ${m.module.name}`);
  }
  const t = r.target;
  if (t) {
    if (t.kind === "verdict") p.push(`-j ${t.name}`);
    else if (t.kind === "jump") p.push(`-j ${t.chain}`);
    else if (t.kind === "goto") p.push(`-g ${t.chain}`);
    else {
      const opts = t.module.save(t.data);
      p.push(opts ? `-j ${t.module.name} ${opts}` : `-j ${t.module.name}`);
    }
  }
  return p.join(" ");
}
