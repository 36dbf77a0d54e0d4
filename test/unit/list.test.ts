// `iptables -L -n [-v] [--line-numbers]` reproduced byte for byte.
//
// Why: `show chain` must print what a learner's node prints. The fixtures in test/fixtures/list/
// are raw stdout captures of the real iptables 1.8.9 (nf_tables) listing each chain of three
// rulesets (the canned article node, every measured save vector ktrace models, and hand-written
// edge cases with counters); see test/fixtures/list/README.md and capture.sh.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";
import type { Chain, Rule, Ruleset, TableName } from "../../src/engine/model/ruleset.js";
import { formatCount, listChainLikeIptables, type Count, type ListOptions } from "../../src/format/list.js";
import { MATCHES, TARGETS } from "../../src/engine/ext/registry.js";
import { fixturePath } from "../helpers/vectors.js";

interface Block {
  table: TableName;
  chain: string;
  text: string;
}

/** Splits a capture file into its "# iptables -t T -L C ..." blocks (each one command's stdout). */
function readBlocks(file: string): Block[] {
  const out: Block[] = [];
  for (const part of readFileSync(fixturePath(`list/${file}`), "utf8").split(/^(?=# iptables )/m)) {
    if (!part) continue;
    const nl = part.indexOf("\n");
    const m = /^# iptables -t (\S+) -L (\S+) /.exec(part.slice(0, nl + 1));
    if (!m) throw new Error(`bad block header in ${file}: ${part.slice(0, nl)}`);
    out.push({ table: m[1] as TableName, chain: m[2]!, text: part.slice(nl + 1) });
  }
  return out;
}

function loadRules(name: string): Ruleset {
  return parseRuleset(readFileSync(fixturePath(`list/${name}.rules`), "utf8"), { file: `${name}.rules` });
}

/** The counters iptables-restore -c loaded from the file's [pkts:bytes]. */
function fileCounters(rs: Ruleset): Map<Rule | Chain, readonly [Count, Count]> {
  const m = new Map<Rule | Chain, readonly [Count, Count]>();
  for (const t of rs.tables.values())
    for (const c of t.chains.values()) {
      m.set(c, c.counters);
      for (const r of c.rules) if (r.counters) m.set(r, r.counters);
    }
  return m;
}

const MODES: Record<string, Omit<ListOptions, "counters">> = {
  L: { verbose: false, lineNumbers: true },
  Lv: { verbose: true, lineNumbers: true },
  N: { verbose: false, lineNumbers: false },
  Nv: { verbose: true, lineNumbers: false },
};

const FIXTURES: [string, string[]][] = [
  ["article", ["L", "Lv"]],
  ["vectors", ["L", "Lv"]],
  ["extras", ["L", "Lv", "N", "Nv"]],
];

const list = (rs: Ruleset, b: Block, opts: ListOptions) => listChainLikeIptables(rs, b.table, b.chain, opts).map((l) => `${l}\n`).join("");

describe("iptables -L -n as iptables 1.8.9 prints it (protoNumbers)", () => {
  for (const [name, modes] of FIXTURES) {
    const rs = loadRules(name);
    const counters = fileCounters(rs);
    for (const mode of modes) {
      const flags = `-n${MODES[mode]!.verbose ? " -v" : ""}${MODES[mode]!.lineNumbers ? " --line-numbers" : ""}`;
      describe(`${name}.rules, iptables -L ${flags}`, () => {
        for (const b of readBlocks(`${name}.${mode}.txt`)) {
          it(`-t ${b.table} -L ${b.chain}`, () => {
            expect(list(rs, b, { ...MODES[mode]!, counters, protoNumbers: true })).toBe(b.text);
          });
        }
      });
    }
  }
});

describe("prot column with names (iptables 1.8.8 and 1.8.10+ under -n)", () => {
  it("differs from the 1.8.9 capture only in the prot field, with iptables' own protocol table", () => {
    const seen = new Set<string>();
    for (const [name, modes] of FIXTURES) {
      const rs = loadRules(name);
      const counters = fileCounters(rs);
      for (const mode of modes) {
        for (const b of readBlocks(`${name}.${mode}.txt`)) {
          const opts = { ...MODES[mode]!, counters };
          const names = listChainLikeIptables(rs, b.table, b.chain, opts);
          const numbers = b.text.split("\n").slice(0, -1);
          expect(names.slice(0, 2)).toEqual(numbers.slice(0, 2));
          const rules = rs.tables.get(b.table)!.chains.get(b.chain)!.rules;
          rules.forEach((r, i) => {
            const t = r.target;
            const target = !t ? "" : t.kind === "verdict" ? t.name : t.kind === "ext" ? (t.module.name === "NOTRACK" ? "CT" : t.module.name) : t.chain;
            const at = (opts.lineNumbers ? 5 : 0) + (opts.verbose ? 12 : 0) + Math.max(target.length, 9) + 2;
            const num = numbers[i + 2]!;
            const got = names[i + 2]!;
            const numTok = /^\S+/.exec(num.slice(at))![0];
            const nameTok = /^\S+/.exec(got.slice(at))![0];
            expect(got.slice(0, at)).toBe(num.slice(0, at));
            expect(got.slice(at + Math.max(nameTok.length, 4))).toBe(num.slice(at + Math.max(numTok.length, 4)));
            const want = { 0: "all", 1: "icmp", 6: "tcp", 17: "udp", 50: "esp", 51: "ah", 58: "ipv6-icmp", 132: "sctp", 136: "udplite" }[Number(numTok)];
            expect(nameTok).toBe(want ?? numTok);
            seen.add(nameTok);
          });
        }
      }
    }
    expect([...seen].sort()).toEqual(["255", "47", "ah", "all", "esp", "icmp", "ipv6-icmp", "sctp", "tcp", "udp", "udplite"]);
  });

  it("matches upstream's expected output after the revert (iptables tests/shell ipt-restore/0011)", () => {
    const rs = parseRuleset("*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -j ACCEPT\nCOMMIT\n");
    expect(listChainLikeIptables(rs, "filter", "FORWARD", { verbose: false, lineNumbers: false }).join("\n")).toBe(
      "Chain FORWARD (policy ACCEPT)\ntarget     prot opt source               destination         \nACCEPT     all  --  0.0.0.0/0            0.0.0.0/0           ",
    );
  });
});

describe("counters", () => {
  it("are 0 without a counters map, even when the save file had some", () => {
    const rs = loadRules("extras");
    const lines = listChainLikeIptables(rs, "filter", "INPUT", { verbose: true, lineNumbers: true });
    expect(lines[0]).toBe("Chain INPUT (policy ACCEPT 0 packets, 0 bytes)");
    expect(lines.slice(2).every((l) => l.slice(5, 17) === "    0     0 ")).toBe(true);
  });

  it("print with K/M/G/T units like xtables_print_num, wrapping in 64 bits", () => {
    expect(formatCount(0)).toBe("    0 ");
    expect(formatCount(99999)).toBe("99999 ");
    expect(formatCount(100000)).toBe(" 100K ");
    expect(formatCount(100499, false)).toBe("100K ");
    expect(formatCount(9999499)).toBe("9999K ");
    expect(formatCount(9999500)).toBe("  10M ");
    expect(formatCount(9007199254740991)).toBe("9007T ");
    // measured: [18446744073709551615:1] lists as "   0K": (2^64-1 + 500) wraps to 499
    expect(formatCount(18446744073709551615n)).toBe("   0K ");
  });
});

describe("every modelled extension lists itself", () => {
  it("has list() on every match and target module", () => {
    for (const m of MATCHES.values()) expect(m.list, `match ${m.name}`).toBeTypeOf("function");
    for (const t of TARGETS.values()) expect(t.list, `target ${t.name}`).toBeTypeOf("function");
  });

  it("each extension appears in a measured capture", () => {
    const used = new Set<string>();
    for (const [name] of FIXTURES)
      for (const t of loadRules(name).tables.values())
        for (const c of t.chains.values())
          for (const r of c.rules) {
            for (const m of r.matches) used.add(`-m ${m.module.name}`);
            if (r.target?.kind === "ext") used.add(`-j ${r.target.module.name}`);
          }
    for (const m of MATCHES.keys()) expect(used, `-m ${m}`).toContain(`-m ${m}`);
    for (const t of TARGETS.keys()) expect(used, `-j ${t}`).toContain(`-j ${t}`);
  });
});
