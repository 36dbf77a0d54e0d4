// Every rule vector measured against iptables-nft-restore/-save 1.8.9: ktrace must save the
// rule exactly as iptables-save does, refuse what iptables refuses, and refuse extensions it
// does not model with a clear "unknown match/target" error (never silently accept them).
import { describe, expect, it } from "vitest";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";
import { BUILTIN_CHAINS, type TableName } from "../../src/engine/model/ruleset.js";
import { MATCHES, UNMODELED_TARGETS } from "../../src/engine/ext/registry.js";
import { readVectors } from "../helpers/vectors.js";

/**
 * Deviations chosen on purpose, each with its reason and exactly what ktrace does instead: the
 * error it gives (a substring of "file:line:col: message") or the rule text it saves.
 */
const QUOTE = "an unterminated quote is refused instead of swallowing the rest of the line";
const DEVIATIONS: Record<string, { reason: string; error?: string; saved?: string }> = {
  'filter;INPUT;-m comment --comment foo"bar -j ACCEPT': { reason: QUOTE, error: "rules:5:31: unterminated quoted string" },
  'filter;INPUT;-m comment --comment "unterminated -j ACCEPT': { reason: QUOTE, error: "rules:5:31: unterminated quoted string" },
  'filter;INPUT;-m comment --comment a\\"b -j ACCEPT': { reason: QUOTE, error: "rules:5:31: unterminated quoted string" },
  "filter;INPUT;-m set --match-set nosuchset src -j ACCEPT": { reason: "set existence is checked against the node's ipsets when loading a node, not by the parser", saved: "-m set --match-set nosuchset src -j ACCEPT" },
  "raw;PREROUTING;-j CT --helper ftp": { reason: "the kernel here lacks the ftp helper module; ktrace accepts it", saved: "-j CT --helper ftp" },
  "filter;INPUT;-p udp ! --dport 0:65535 -j ACCEPT": { reason: "iptables-nft drops a negated full-range udp match entirely; ktrace keeps the bare -m udp", saved: "-p udp -m udp -j ACCEPT" },
  "nat;PREROUTING;-p tcp -j DNAT --to-destination 10.0.0.1:80-90/85": { reason: "the /BASE port offset syntax of DNAT is not modelled", error: 'rules:5:47: Port "80-90/85" not valid' },
  "filter;INPUT;-m set --match-set myset src --packets-eq 5 -j ACCEPT": { reason: "per-element ipset counters are not modelled", error: 'rules:5:39: unknown option "--packets-eq" for match "set"' },
  "filter;INPUT;-m set --match-set myset src --bytes-gt 100 -j ACCEPT": { reason: "per-element ipset counters are not modelled", error: 'rules:5:39: unknown option "--bytes-gt" for match "set"' },
  "filter;INPUT;-p sctp --chunk-types any INIT -j ACCEPT": { reason: "SCTP chunks are not modelled", error: 'rules:5:18: unknown option "--chunk-types"' },
  "filter;INPUT;-p sctp --chunk-types all INIT,SACK -j ACCEPT": { reason: "SCTP chunks are not modelled", error: 'rules:5:18: unknown option "--chunk-types"' },
  "filter;INPUT;-p sctp --chunk-types only DATA:Be -j ACCEPT": { reason: "SCTP chunks are not modelled", error: 'rules:5:18: unknown option "--chunk-types"' },
  "raw;PREROUTING;-j CT --zone-orig 1": { reason: "directional conntrack zones are not modelled", error: 'rules:5:21: unknown option "--zone-orig" for target "CT"' },
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
  it("documents only deviations that are among the vectors", () => {
    const keys = new Set(vectors.map((v) => `${v.table};${v.chain};${v.input}`));
    expect(Object.keys(DEVIATIONS).filter((k) => !keys.has(k))).toEqual([]);
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
      const deviation = DEVIATIONS[key];
      if (deviation) {
        // a deliberate deviation: exactly the error or the save it documents
        if (deviation.error !== undefined) {
          expect(saved, deviation.reason).toBeUndefined();
          expect(error, deviation.reason).toContain(deviation.error);
        } else {
          expect(error, deviation.reason).toBeUndefined();
          expect(saved, deviation.reason).toBe(deviation.saved);
        }
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
