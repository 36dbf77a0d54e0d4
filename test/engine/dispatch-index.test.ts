// The dispatch index may only skip rules the packet misses: on random rulesets (exact and masked
// destinations, negations, protocols, single ports, ranges and negated ports, source ports,
// marks set by earlier rules and tested later, statistic draws, jumps, gotos and RETURNs) and
// random packets (TCP, UDP, ICMP, fragments), the indexed walk and the linear reference walk
// give the same fate, the same packet, the same kernel trace, the same random draws, and — with
// each skipped run expanded — the same events, rule by rule.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";
import { createEngine } from "../../src/engine/state.js";
import { walkPacket } from "../../src/engine/walk/packet-walk.js";
import { expandMisses, missedRules } from "../../src/engine/walk/chain-walk.js";
import { formatXtablesMonitor } from "../../src/format/xtables-monitor.js";
import { loadCanned } from "../../src/sources/load.js";
import { createRng } from "../../src/engine/rng.js";
import { parsePacketSpec, buildPacket } from "../../src/lang/packet-spec.js";
import { splitWords } from "../../src/lang/words.js";
import type { TraceEvent } from "../../src/engine/trace/events.js";
import { jsonReplacer } from "../../src/lang/session.js";
import { applyIptables } from "../../src/engine/parse/iptables-command.js";

const DSTS = ["10.96.0.1", "10.96.0.2", "10.96.0.3", "10.96.1.7", "192.168.1.20"];
const PORTS = [53, 80, 443, 8080];

function randomRuleset(seed: number): string {
  const r = createRng(seed);
  const pick = <T,>(xs: readonly T[]) => xs[r.u32() % xs.length]!;
  const chance = (p: number) => r.u32() / 2 ** 32 < p;
  const users = ["SVC-A", "SVC-B", "SVC-C"];
  const rule = (chain: string, targets: string[]): string => {
    const parts: string[] = [];
    if (chance(0.08)) parts.push(`-s ${pick(["192.168.1.20", "10.42.0.0/16"])}`);
    if (chance(0.9)) parts.push(`${chance(0.05) ? "! " : ""}-d ${pick(DSTS)}${chance(0.1) ? "/24" : "/32"}`);
    let proto = chance(0.85) ? pick(["tcp", "tcp", "udp", "icmp"]) : undefined;
    if (proto) {
      const negated = chance(0.04);
      parts.push(`${negated ? "! " : ""}-p ${proto}`);
      if (negated) proto = undefined; // no port matches on a negated protocol
    }
    if (chance(0.4)) parts.push(`-m comment --comment "rule of ${chain}"`);
    if (proto === "tcp" || proto === "udp") {
      if (chance(0.8)) {
        const port = pick(PORTS);
        const spec = chance(0.1) ? `${port}:${port + 10}` : String(port);
        parts.push(`-m ${proto} ${chance(0.05) ? "! " : ""}--dport ${spec}`);
        if (chance(0.05)) parts.push(`--sport 1024:65535`);
      }
      if (proto === "tcp" && chance(0.05)) parts.push("-m tcp --tcp-flags SYN,ACK SYN");
    }
    if (chance(0.05)) parts.push("-m mark --mark 0x4000/0x4000");
    if (chance(0.04)) parts.push("-m statistic --mode random --probability 0.5");
    const target = pick(targets);
    // DNAT names a port only for a rule that is sure of TCP or UDP (iptables refuses it otherwise)
    parts.push(`-j ${target === "DNAT" ? `DNAT --to-destination 10.42.0.${1 + (r.u32() % 9)}${proto === "tcp" || proto === "udp" ? ":8080" : ""}` : target}`);
    return `-A ${chain} ${parts.join(" ")}`;
  };
  const lines = ["*nat", ":PREROUTING ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]", ":MARK-IT - [0:0]", ...users.map((u) => `:${u} - [0:0]`)];
  lines.push("-A MARK-IT -j MARK --set-xmark 0x4000/0x4000");
  for (const base of ["PREROUTING", "OUTPUT"]) {
    const n = 5 + (r.u32() % 60);
    for (let i = 0; i < n; i++) lines.push(rule(base, [...users, "MARK-IT", "RETURN", "ACCEPT"]));
  }
  for (const u of users) {
    const n = r.u32() % 20;
    for (let i = 0; i < n; i++) lines.push(rule(u, ["MARK-IT", "RETURN", "ACCEPT", "DNAT"]).replace(/-j (SVC-\w)/, "-g $1"));
  }
  lines.push("COMMIT", "");
  return lines.join("\n");
}

function randomPacket(seed: number): string {
  const r = createRng(seed * 7 + 1);
  const pick = <T,>(xs: readonly T[]) => xs[r.u32() % xs.length]!;
  const proto = pick(["tcp", "tcp", "udp", "icmp"]);
  const dst = pick(DSTS);
  const inIf = r.u32() % 2 ? " in enp3s0" : "";
  const src = inIf ? "192.168.1.20" : "192.168.1.88";
  if (proto === "icmp") return `icmp ${src} -> ${dst}${inIf}`;
  return `${proto} ${src}:${1024 + (r.u32() % 50000)} -> ${dst}:${pick(PORTS)}${inIf}`;
}

/** Events as comparable data, each skipped run expanded into the nomatch events it stands for. */
function flat(events: TraceEvent[]): unknown[] {
  const out: TraceEvent[] = [];
  for (const e of events) {
    if (e.kind === "misses") out.push(...expandMisses(e));
    else if (e.kind === "spawned") out.push({ ...e, events: flat(e.events) as TraceEvent[] });
    else out.push(e);
  }
  return JSON.parse(JSON.stringify(out, jsonReplacer)) as unknown[];
}

function walkBoth(rules: string, packet: string, fragment: boolean) {
  const node = loadCanned("article").node;
  const ruleset = parseRuleset(rules, { file: "random.rules" });
  const spec = parsePacketSpec(splitWords(packet));
  const pkt = { ...buildPacket(spec, 1, 0x1234), fragOffset: fragment ? 8 : 0, nfTrace: true };
  const run = (dispatchMinRules: number | false) => {
    const eng = createEngine(ruleset, node, 5, true);
    const result = walkPacket(eng, pkt, { collectMisses: true, dispatchMinRules });
    return { result, draws: eng.rng.u32() };
  };
  return { linear: run(false), indexed: run(1) };
}

describe("the dispatch index against the linear walk", () => {
  it("same fate, packet, trace, draws and (expanded) events on random rulesets and packets", () => {
    let skipped = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.boolean(), (seed, fragment) => {
        const rules = randomRuleset(seed);
        const packet = randomPacket(seed);
        const { linear, indexed } = walkBoth(rules, packet, fragment && seed % 5 === 0);
        expect(indexed.result.fate).toEqual(linear.result.fate);
        expect(indexed.result.pkt).toEqual(linear.result.pkt);
        expect(indexed.draws).toBe(linear.draws);
        expect(formatXtablesMonitor(indexed.result.events)).toEqual(formatXtablesMonitor(linear.result.events));
        expect(flat(indexed.result.events)).toEqual(flat(linear.result.events));
        skipped += indexed.result.events.filter((e) => e.kind === "misses").length;
      }),
      { numRuns: 400 },
    );
    // the index did skip rules (so the comparison compared something)
    expect(skipped).toBeGreaterThan(200);
  });

  it("a chain edited after it was indexed is indexed again", () => {
    const rules = ["*nat", ":OUTPUT ACCEPT [0:0]", ...[1, 2, 3].map((i) => `-A OUTPUT -d 10.96.0.${i}/32 -p tcp -m tcp --dport 80 -j ACCEPT`), "COMMIT", ""].join("\n");
    const ruleset = parseRuleset(rules);
    const node = loadCanned("article").node;
    const pkt = buildPacket(parsePacketSpec(splitWords("tcp 192.168.1.88:1000 -> 10.96.0.9:80")), 1, 1);
    const misses = () => walkPacket(createEngine(ruleset, node, 1, true), pkt, { dispatchMinRules: 1 }).events.filter((e) => e.kind === "misses" && e.table === "nat").flatMap((e) => (e.kind === "misses" ? missedRules(e).map((r) => r.text) : []));
    expect(misses()).toHaveLength(3);
    // delete one and insert a rule for this packet's destination at the same length
    const chain = ruleset.tables.get("nat")!.chains.get("OUTPUT")!;
    const extra = parseRuleset(["*nat", ":OUTPUT ACCEPT [0:0]", "-A OUTPUT -d 10.96.0.9/32 -p tcp -m tcp --dport 80 -j ACCEPT", "COMMIT", ""].join("\n")).tables.get("nat")!.chains.get("OUTPUT")!.rules[0]!;
    // edits give the chain a new array (as iptables -A/-I/-D/-F do); the indexed one is frozen,
    // so an edit in place, which the index could not see, throws instead of walking stale
    expect(() => chain.rules.splice(1, 1, extra)).toThrow(TypeError);
    chain.rules = [chain.rules[0]!, extra, chain.rules[2]!];
    expect(misses()).toHaveLength(1);
  });

  it("iptables -I, -A, -D and -F on an indexed chain: the next walk sees the edit", () => {
    const rules = ["*nat", ":OUTPUT ACCEPT [0:0]", ...[1, 2, 3].map((i) => `-A OUTPUT -d 10.96.0.${i}/32 -p tcp -m tcp --dport 80 -j ACCEPT`), "COMMIT", ""].join("\n");
    const ruleset = parseRuleset(rules);
    const node = loadCanned("article").node;
    const pkt = buildPacket(parsePacketSpec(splitWords("tcp 192.168.1.88:1000 -> 10.96.0.9:80")), 1, 1);
    const decided = () => {
      const events = walkPacket(createEngine(ruleset, node, 1, true), pkt, { dispatchMinRules: 1 }).events;
      const linear = walkPacket(createEngine(ruleset, node, 1, true), pkt, { dispatchMinRules: false }).events;
      const rule = (es: TraceEvent[]) => es.flatMap((e) => (e.kind === "rule" && e.table === "nat" ? [e.rule.text] : []))[0];
      expect(rule(events)).toBe(rule(linear));
      return rule(events);
    };
    const run = (line: string) => expect(applyIptables(ruleset, splitWords(line).map((w) => ({ text: w.text, column: w.col, quoted: false }))).text).toBeTruthy();
    expect(decided()).toBeUndefined(); // indexed now: no rule for 10.96.0.9
    run("-t nat -I OUTPUT 2 -d 10.96.0.9/32 -p tcp -m tcp --dport 80 -j ACCEPT");
    expect(decided()).toBe("-d 10.96.0.9/32 -p tcp -m tcp --dport 80 -j ACCEPT");
    run("-t nat -I OUTPUT 1 -d 10.96.0.9/32 -p tcp -m tcp --dport 80 -j DROP");
    expect(decided()).toBe("-d 10.96.0.9/32 -p tcp -m tcp --dport 80 -j DROP");
    run("-t nat -D OUTPUT -d 10.96.0.9/32 -p tcp -m tcp --dport 80 -j DROP");
    expect(decided()).toBe("-d 10.96.0.9/32 -p tcp -m tcp --dport 80 -j ACCEPT");
    run("-t nat -F OUTPUT");
    run("-t nat -A OUTPUT -d 10.96.0.9/32 -p tcp -m tcp --dport 80 -j RETURN");
    expect(decided()).toBe("-d 10.96.0.9/32 -p tcp -m tcp --dport 80 -j RETURN");
  });
});
