/**
 * Packet→match vectors for extension modules: one rule, one packet, what the kernel does.
 *
 * Why: every match and target in src/engine/ext/ carries a vector file beside it
 * (test/ext/match/<name>.test.ts, test/ext/target/<NAME>.test.ts). A vector loads its rule into a
 * ruleset on the article's node, sends the packet through the real walk (no root, no kernel) and
 * reads that rule's trace event: "rule" when it matched, "nomatch" with the failing clause and
 * its why. Expectations are the kernel's behaviour (net/netfilter/xt_*.c); a vector on which
 * ktrace disagrees with the kernel names the kernel function in `kernelDiffers` and runs as
 * `it.fails`, so the day ktrace is fixed the test says so.
 *
 * Parsing and saving are not repeated here: test/unit/save-vectors.test.ts runs the measured
 * iptables-restore answers (test/fixtures/save-canonical/vectors.t), including the base-chain
 * refusals it recorded (DNAT in POSTROUTING, -m mac in OUTPUT...). Vector files add the load
 * errors those do not cover: other hooks, user chains reached from a hook, the kernel's checks.
 */
import { expect, it } from "vitest";
import { rulesSession, run } from "./session.js";
import type { Session } from "../../src/lang/session.js";
import type { Rule } from "../../src/engine/model/ruleset.js";
import type { MatchEnv } from "../../src/engine/ext/types.js";
import type { TraceEvent } from "../../src/engine/trace/events.js";
import type { WalkResult } from "../../src/engine/walk/packet-walk.js";
import type { Packet } from "../../src/engine/model/packet.js";
import type { TableName } from "../../src/engine/model/ruleset.js";
import { HOOKS } from "../../src/engine/walk/hooks.js";
import { formatIp } from "../../src/engine/model/ipv4.js";

/** What a vector expects of its rule. */
export type Expectation =
  /** the rule matched (its "rule" event) */
  | "match"
  /** the rule did not match: the clause as the trace names it ("-m mac --mac-source …"), and optionally why */
  | { fail: string; why?: string | RegExp; check?: (r: VectorRun) => void }
  /** the kernel refuses the ruleset: the error text (RULE_APPEND failed… or a parse error) */
  | { loadError: string | RegExp }
  /** a target: what it did */
  | TargetEffect;

export interface TargetEffect {
  /** the verdict in the rule's event: CONTINUE, ACCEPT, DROP, RETURN */
  verdict?: string;
  /** fields of the packet after the rule (a non-terminal target's snapshot; else the packet at its fate); addresses dotted */
  after?: Partial<Record<keyof Packet, unknown>>;
  /** fields of the packet's fate */
  fate?: Partial<Record<string, unknown>>;
  /** a LOG/NFLOG line the rule wrote */
  log?: string | RegExp;
  /** the NAT binding the rule made: which side, and the packet's addresses after it */
  nat?: { manip: "SRC" | "DST"; src?: string; sport?: number; dst?: string; dport?: number };
  /** anything else, on the whole run */
  check?: (r: VectorRun) => void;
}

export interface Vector {
  name: string;
  /** default filter */
  table?: TableName;
  /** a built-in chain, or a user chain reached by `-A <via> -j <chain>` */
  chain: string;
  /** for a user chain: the built-in chain that jumps to it */
  via?: string;
  /** the rule's options as iptables-save prints them after `-A CHAIN` */
  rule: string;
  /** the `send` command's arguments */
  packet: string;
  /** commands run before the packet (earlier packets, `tick`…) */
  before?: string[];
  /** more rules for the ruleset: whole iptables-save text, tables and all */
  extra?: string;
  expect: Expectation;
  /** ktrace disagrees with the kernel here: the kernel function whose answer `expect` is */
  kernelDiffers?: string;
}

export interface VectorRun {
  s: Session;
  result: WalkResult;
  /** the vector rule's first event (rule or nomatch) in the last packet's walk */
  event: Extract<TraceEvent, { kind: "rule" | "nomatch" }>;
  /** all of that rule's events in the walk (a looped-back packet meets it twice) */
  events: Extract<TraceEvent, { kind: "rule" | "nomatch" }>[];
}

const isHook = (c: string) => (HOOKS as readonly string[]).includes(c);

/**
 * The iptables-save text of a vector's ruleset: `extra` first; when `extra` already has the
 * vector's table, the vector's chains and rule join that table (a second `*table` block would
 * replace the first).
 */
export function vectorRules(v: Vector): string {
  const table = v.table ?? "filter";
  const decl: string[] = [];
  const rules: string[] = [];
  if (isHook(v.chain)) decl.push(`:${v.chain} ACCEPT [0:0]`);
  else {
    if (!v.via) throw new Error(`vector "${v.name}": user chain ${v.chain} needs "via" (the built-in chain jumping to it)`);
    decl.push(`:${v.via} ACCEPT [0:0]`, `:${v.chain} - [0:0]`);
    rules.push(`-A ${v.via} -j ${v.chain}`);
  }
  rules.push(`-A ${v.chain} ${v.rule}`);
  const extra = (v.extra ?? "").split("\n");
  const start = extra.indexOf(`*${table}`);
  if (start < 0) return [...extra.filter((l, i) => l !== "" || i < extra.length - 1), `*${table}`, ...decl, ...rules, "COMMIT", ""].join("\n").replace(/^\n/, "");
  const commit = extra.indexOf("COMMIT", start);
  const declared = new Set(extra.slice(start, commit).filter((l) => l.startsWith(":")).map((l) => l.split(" ")[0]));
  const newDecl = decl.filter((d) => !declared.has(d.split(" ")[0]!));
  return [...extra.slice(0, start + 1), ...newDecl, ...extra.slice(start + 1, commit), ...rules, ...extra.slice(commit)].join("\n");
}

/** Loads the vector's ruleset (throws the load error), runs `before`, sends the packet. */
export function runVector(v: Vector, seed = 1): VectorRun {
  const s = rulesSession(vectorRules(v), seed);
  const table = v.table ?? "filter";
  const rule = s.engine.ruleset.tables.get(table)!.chains.get(v.chain)!.rules.find((r) => r.origin.line === vectorRuleLine(v));
  if (!rule) throw new Error(`vector "${v.name}": rule not found in ${table} ${v.chain}`);
  const undeclared = watchUndeclaredEffects(rule);
  run(s, ...(v.before ?? []), `send ${v.packet}`);
  if (undeclared.length) throw new Error(`vector "${v.name}": ${undeclared.join("; ")} — declare it in the module's effects()`);
  const result = s.sent[s.sent.length - 1]!.result;
  const events = result.events.filter(
    (e): e is VectorRun["event"] => (e.kind === "rule" || e.kind === "nomatch") && e.table === table && e.chain === v.chain && e.rule.handle === rule.handle,
  );
  const event = events[0];
  if (!event) {
    const where = result.events.flatMap((e) => ("chain" in e && "hook" in e ? [`${e.hook}/${e.table}/${e.chain}`] : []));
    throw new Error(`vector "${v.name}": the packet never reached the rule (fate ${JSON.stringify(result.fate)}; walked ${[...new Set(where)].join(", ")})`);
  }
  return { s, result, event, events };
}

/**
 * Wraps the rule's matches so that a test() drawing random numbers or writing state without
 * saying so in `effects` is reported: every vector checks that its module is as pure as it claims.
 */
function watchUndeclaredEffects(rule: Rule): string[] {
  const found: string[] = [];
  rule.matches = rule.matches.map((m) => {
    if (m.module.effects?.(m.data)) return m;
    const module = {
      ...m.module,
      test(data: unknown, env: MatchEnv) {
        const rng = { u32: () => (found.push(`${m.module.name} test() drew a random number`), env.rng.u32()), clone: () => env.rng.clone() };
        const store = new Map(env.store);
        const r = m.module.test(data, { ...env, rng, store });
        const changed = store.size !== env.store.size || [...store].some(([k, x]) => env.store.get(k) !== x);
        if (changed) found.push(`${m.module.name} test() wrote state`);
        return r;
      },
    };
    return { ...m, module };
  });
  return found;
}

function vectorRuleLine(v: Vector): number {
  return vectorRules(v).split("\n").findIndex((l) => l === `-A ${v.chain} ${v.rule}`) + 1;
}

const ipFields = new Set(["src", "dst", "nexthop"]);
const dotted = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, x]) => [k, ipFields.has(k) && typeof x === "number" ? formatIp(x) : x]));

/** Asserts one vector. */
export function checkVector(v: Vector) {
  const x = v.expect;
  if (typeof x === "object" && "loadError" in x) {
    expect(() => rulesSession(vectorRules(v))).toThrow(x.loadError);
    return;
  }
  const r = runVector(v);
  const e = r.event;
  if (x === "match") {
    expect(e.kind === "nomatch" ? `nomatch: ${e.fail.clause} — ${e.fail.why}` : "match").toBe("match");
    return;
  }
  if ("fail" in x) {
    expect(e.kind).toBe("nomatch");
    if (e.kind !== "nomatch") return;
    expect(e.fail.clause).toBe(x.fail);
    if (x.why !== undefined) expect(e.fail.why).toMatch(x.why);
    x.check?.(r);
    return;
  }
  expect(e.kind === "nomatch" ? `nomatch: ${e.fail.clause} — ${e.fail.why}` : "rule").toBe("rule");
  if (e.kind !== "rule") return;
  if (x.verdict) expect(e.verdict.kind).toBe(x.verdict);
  if (x.after) {
    const after = e.after ?? r.result.pkt;
    const want = dotted(x.after as Record<string, unknown>);
    const got = dotted(Object.fromEntries(Object.keys(want).map((k) => [k, (after as unknown as Record<string, unknown>)[k]])));
    expect(got).toEqual(want);
  }
  if (x.fate) expect(dotted(r.result.fate as unknown as Record<string, unknown>)).toMatchObject(x.fate);
  if (x.log !== undefined) {
    const logs = r.result.events.flatMap((l) => (l.kind === "log" ? [l.text] : []));
    expect(logs.join("\n")).toMatch(x.log);
  }
  if (x.nat) {
    const n = r.result.events.find((l) => l.kind === "nat" && l.how === "rule" && l.rule?.handle === e.rule.handle);
    expect(n, "a nat event made by the rule").toBeDefined();
    if (n?.kind === "nat") {
      expect(n.manip).toBe(x.nat.manip);
      const want = dotted(x.nat as Record<string, unknown>);
      delete want.manip;
      const got = dotted(Object.fromEntries(Object.keys(want).map((k) => [k, (n.to as unknown as Record<string, unknown>)[k]])));
      expect(got).toEqual(want);
    }
  }
  x.check?.(r);
}

/** Registers each vector as a test (`it.fails` where ktrace differs from the kernel). */
export function vectors(list: Vector[]) {
  for (const v of list) {
    if (v.kernelDiffers)
      it.fails(`${v.name} [kernel: ${v.kernelDiffers}; ktrace differs]`, () => {
        // only the expectation may fail: a vector that cannot even run (rule never reached, bad
        // packet) returns normally, so it.fails reports it instead of counting it as the known gap
        try {
          if (typeof v.expect === "object" && "loadError" in v.expect) rulesSession(vectorRules(v)); // ktrace must load it: the gap is that it does
          checkVector(v);
        } catch (e) {
          if ((e as Error).name === "AssertionError") throw e;
          console.error(`vector "${v.name}" did not run: ${(e as Error).message}`);
        }
      });
    else it(v.name, () => checkVector(v));
  }
}
