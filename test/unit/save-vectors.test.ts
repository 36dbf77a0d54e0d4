// Every rule vector measured against iptables-nft-restore/-save 1.8.9: ktrace must save the
// rule exactly as iptables-save does, refuse what iptables refuses, and refuse extensions it
// does not model with a clear "unknown match/target" error (never silently accept them).
import { describe, expect, it } from "vitest";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";
import { BUILTIN_CHAINS, type TableName } from "../../src/engine/model/ruleset.js";
import { MATCHES, UNMODELED_TARGETS } from "../../src/engine/ext/registry.js";
import { readVectors } from "../helpers/vectors.js";

/** Deviations chosen on purpose, each with its reason. */
const DEVIATIONS: Record<string, string> = {
  'filter;INPUT;-m comment --comment foo"bar -j ACCEPT': "an unterminated quote is refused instead of swallowing the rest of the line",
  'filter;INPUT;-m comment --comment "unterminated -j ACCEPT': "an unterminated quote is refused instead of swallowing the rest of the line",
  'filter;INPUT;-m comment --comment a\\"b -j ACCEPT': "an unterminated quote is refused instead of swallowing the rest of the line",
  "filter;INPUT;-m set --match-set nosuchset src -j ACCEPT": "set existence is checked against the node's ipsets when loading a node, not by the parser",
  "raw;PREROUTING;-j CT --helper ftp": "the kernel here lacks the ftp helper module; ktrace accepts it",
  "filter;INPUT;-p udp ! --dport 0:65535 -j ACCEPT": "iptables-nft drops a negated full-range udp match entirely; ktrace keeps the bare -m udp",
  "nat;PREROUTING;-p tcp -j DNAT --to-destination 10.0.0.1:80-90/85": "the /BASE port offset syntax of DNAT is not modelled",
  "filter;INPUT;-m set --match-set myset src --packets-eq 5 -j ACCEPT": "per-element ipset counters are not modelled",
  "filter;INPUT;-m set --match-set myset src --bytes-gt 100 -j ACCEPT": "per-element ipset counters are not modelled",
  "filter;INPUT;-p sctp --chunk-types any INIT -j ACCEPT": "SCTP chunks are not modelled",
  "filter;INPUT;-p sctp --chunk-types all INIT,SACK -j ACCEPT": "SCTP chunks are not modelled",
  "filter;INPUT;-p sctp --chunk-types only DATA:Be -j ACCEPT": "SCTP chunks are not modelled",
  "raw;PREROUTING;-j CT --zone-orig 1": "directional conntrack zones are not modelled",
};

function restoreText(table: string, chain: string, input: string): string {
  const decl = BUILTIN_CHAINS[table as TableName]?.includes(chain) ? `:${chain} ACCEPT [0:0]` : `:${chain} - [0:0]`;
  return `*${table}\n${decl}\n:mychain - [0:0]\n:other - [0:0]\n-A ${chain} ${input}\nCOMMIT\n`;
}

function extensionsOf(input: string): string[] {
  return [...input.matchAll(/(?:^|\s)(-m|-j)\s+(\S+)/g)].map((m) => `${m[1]} ${m[2]}`);
}

function unsupported(input: string): string | undefined {
  for (const e of extensionsOf(input)) {
    const [flag, name] = e.split(" ") as [string, string];
    if (flag === "-m" && !MATCHES.has(name)) return name;
    if (flag === "-j" && UNMODELED_TARGETS.has(name)) return name;
  }
  return undefined;
}

const vectors = readVectors();

describe("iptables-save canonical forms (measured vectors)", () => {
  it("has the measured vectors", () => {
    expect(vectors.length).toBeGreaterThan(600);
  });
  for (const v of vectors) {
    const key = `${v.table};${v.chain};${v.input}`;
    const name = `${v.ok ? "OK  " : "FAIL"} line ${v.line}: -t ${v.table} -A ${v.chain} ${v.input}`;
    it(name, () => {
      const text = restoreText(v.table, v.chain, v.input);
      let saved: string | undefined;
      let error: string | undefined;
      try {
        const rs = parseRuleset(text);
        saved = rs.tables.get(v.table as TableName)!.chains.get(v.chain)!.rules.map((r) => r.text).join(" || ");
      } catch (e) {
        error = (e as Error).message;
      }
      const reason = DEVIATIONS[key];
      if (reason) {
        // a deliberate deviation: it must still behave sensibly (a clear error or a save)
        expect(error ?? saved).toBeDefined();
        return;
      }
      const ext = unsupported(v.input);
      if (ext) {
        expect(error, `ktrace must refuse -m/-j ${ext} clearly`).toMatch(new RegExp(`unknown (match|target) "${ext}"`));
        return;
      }
      if (v.ok) {
        expect(error).toBeUndefined();
        expect(saved).toBe(v.expected);
      } else {
        expect(saved, `iptables refused this: ${v.error ?? ""}`).toBeUndefined();
        expect(error).toMatch(/^rules:\d+(:\d+)?: \S/);
      }
    });
  }
});
