// Rulesets made to hurt: chain names that look like options, negations or numbers (as iptables
// v1.8.9 answers them, measured with iptables-restore and iptables -N in a namespace), a line of
// a megabyte, more rules than ktrace holds, a file bigger than it reads, an ipset of 100,000
// members. Each ends in a clear one-line error at its place, or in a correct walk.
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";
import { runLine } from "../../src/lang/commands/index.js";
import { articleSession, rulesSession, run, snapshotSession } from "../helpers/session.js";
import { loadRulesFile, SourceError } from "../../src/sources/load.js";
import { nodeIo } from "../../src/sources/io.js";
import { writeSnapshot } from "../../src/sources/snapshot.js";
import { CANNED } from "../../src/sources/canned/index.js";

const withChain = (name: string) => `*filter\n:INPUT ACCEPT [0:0]\n:${name} - [0:0]\n-A INPUT -j ${name}\nCOMMIT\n`;

describe("hostile rulesets", () => {
  it("chain names: '-' and '!' starts are refused where they stand; numbers and dashes inside are names", () => {
    expect(() => parseRuleset(withChain("-foo"), { file: "c.rules" })).toThrow("c.rules:3:2: chain name not allowed to start with `-'");
    expect(() => parseRuleset(withChain("--dport"), { file: "c.rules" })).toThrow("c.rules:3:2: chain name not allowed to start with `-'");
    expect(() => parseRuleset(withChain("!x"), { file: "c.rules" })).toThrow("c.rules:3:2: chain name not allowed to start with `!'");
    expect(() => parseRuleset(withChain("QUEUE"), { file: "c.rules" })).toThrow("chain name may not clash with target name");
    for (const ok of ["123", "a-b", "0x10"]) {
      const s = rulesSession(withChain(ok));
      run(s, "send tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0");
      expect(s.sent[0]!.result.events.some((e) => e.kind === "rule" && e.verdict.kind === "JUMP" && e.verdict.chain === ok), ok).toBe(true);
    }
  });

  it("iptables -N refuses the same names with the same words", () => {
    const s = articleSession();
    expect(runLine(s, "iptables -N !x").error).toBe("column 13: chain name not allowed to start with `!'");
    expect(runLine(s, "iptables -N QUEUE").error).toBe("column 13: chain name may not clash with target name");
    expect(runLine(s, "iptables -N 123").error).toBeUndefined();
  });

  it("a line of a megabyte: a long word is refused at its column; a megabyte of words ends in one error", () => {
    const word = "x".repeat(1 << 20);
    expect(() => parseRuleset(`*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment ${word} -j ACCEPT\nCOMMIT\n`, { file: "l.rules" })).toThrow(/^l\.rules:3:31: Parameter too long/);
    const words = "-p tcp ".repeat((1 << 20) / 7);
    expect(() => parseRuleset(`*filter\n:INPUT ACCEPT [0:0]\n-A INPUT ${words}-j ACCEPT\nCOMMIT\n`, { file: "l.rules" })).toThrow(/^l\.rules:3:\d+: /);
    // a comment line of a megabyte is only a comment
    expect(parseRuleset(`# ${word}\n*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n`).tables.size).toBe(1);
  });

  it("more rules than ktrace holds: refused at the first rule past the limit", () => {
    const rules = Array.from({ length: 1200 }, (_, i) => `-A INPUT -s 10.0.${i >> 8}.${i & 255}/32 -j ACCEPT`);
    const text = ["*filter", ":INPUT ACCEPT [0:0]", ...rules, "COMMIT", ""].join("\n");
    expect(() => parseRuleset(text, { file: "m.rules", maxRules: 1000 })).toThrow(/^m\.rules:1003:4: too many rules: ktrace holds up to 1,000 /);
    expect(parseRuleset(text, { file: "m.rules", maxRules: 1200 }).tables.get("filter")!.chains.get("INPUT")!.rules).toHaveLength(1200);
  });

  it("a file bigger than ktrace reads is refused before it is read", () => {
    const dir = mkdtempSync(join(tmpdir(), "kthostile-"));
    try {
      const f = join(dir, "huge.rules");
      writeFileSync(f, "");
      truncateSync(f, 300 * 2 ** 20); // sparse: no disk, no memory
      expect(() => loadRulesFile(nodeIo, f)).toThrow(SourceError);
      expect(() => loadRulesFile(nodeIo, f)).toThrow(/300 MB is more than ktrace reads \(256 MB/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an ipset of 100,000 members loads and matches", () => {
    const c = CANNED.article!;
    const members = Array.from({ length: 100_000 }, (_, i) => `add BIG 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const snap = writeSnapshot({
      hostname: c.hostname,
      "iptables-save": "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m set --match-set BIG src -j DROP\nCOMMIT\n",
      "ip -j addr": c.addrJson,
      "ip -j route show table all": c.routeJson,
      "ipset save": ["create BIG hash:ip family inet hashsize 65536 maxelem 131072", ...members].join("\n"),
    });
    const s = snapshotSession(snap);
    run(s, "send tcp 10.1.134.159:5000 -> 192.168.1.88:22 in enp3s0");
    expect(s.sent[0]!.result.fate.kind).toBe("dropped");
    run(s, "send tcp 10.200.0.1:5000 -> 192.168.1.88:22 in enp3s0");
    expect(s.sent[1]!.result.fate.kind).not.toBe("dropped");
  });
});
