// The iptables-save parser and saver under fuzzing: real rulesets round-trip exactly, and every
// damaged one is either accepted or refused with a one-line error naming file:line:column —
// never a crash, never a hang.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";
import { saveRuleset } from "../../src/engine/save/save.js";
import { isUserError } from "../../src/engine/parse/errors.js";
import { ARTICLE_RULES } from "../../src/sources/canned/article-rules.js";
import { generateFromYaml } from "../../src/sources/k8s/index.js";
import { readFileSync } from "node:fs";
import { fixturePath } from "../helpers/vectors.js";
import { fuzzParams, FUZZ_TIMEOUT } from "./budget.js";

const K8S_YAML = readFileSync(fixturePath("../k8s/fixtures/kube-proxy-overall.yaml"), "utf8");
const REAL: Record<string, string> = {
  article: ARTICLE_RULES,
  "kube-proxy": generateFromYaml(K8S_YAML, "cluster.yaml").rules,
};

/** A rules text after one parse and save: saving what was loaded is a fixed point. */
function saved(text: string): string {
  return saveRuleset(parseRuleset(text, { file: "r.rules" }));
}

/** Parses, and checks a refusal is a user error in file:line[:col]: form, one line. */
function parseOrRefuse(text: string): "ok" | "refused" {
  try {
    parseRuleset(text, { file: "m.rules" });
    return "ok";
  } catch (e) {
    if (!isUserError(e)) throw new Error(`not a user error: ${(e as Error).stack}`);
    const msg = (e as Error).message;
    if (!/^m\.rules:\d+(:\d+)?: \S/.test(msg)) throw new Error(`error without its place: ${msg}`);
    if (msg.includes("\n")) throw new Error(`error on more than one line: ${JSON.stringify(msg)}`);
    return "refused";
  }
}

const JUNK_WORDS = ["-A", "-j", "-m", "!", "--dport", "--to-destination", "0x", "999999", "-1", "1.2.3.4/33", "256.1.1.1", "::1", "65536", "0:65535", "KUBE-SVC-X", "—dport", "“quoted”", '"', "'", "\\", "-p", "tcp", "udp", "all", "*nat", "COMMIT", ":X - [0:0]", "--comment", "\u0000", "\u202e", "é", "-N", "-X"];

/** One way to damage a line of a real ruleset. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant("drop" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("dup" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("swap" as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat(), keep: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), word: fc.constantFrom(...JUNK_WORDS) }),
  fc.record({ kind: fc.constant("junk" as const), at: fc.nat(), word: fc.string({ unit: "binary", maxLength: 12 }) }),
);

interface Mutation {
  kind: string;
  at: number;
  with?: number;
  keep?: number;
  word?: string;
}

function damage(line: string, m: Mutation): string {
  const w = line.split(" ");
  const i = m.at % Math.max(1, w.length);
  switch (m.kind) {
    case "drop": w.splice(i, 1); break;
    case "dup": w.splice(i, 0, w[i] ?? ""); break;
    case "swap": { const j = (m.with ?? 0) % Math.max(1, w.length); [w[i], w[j]] = [w[j] ?? "", w[i] ?? ""]; break; }
    case "truncate": return line.slice(0, (m.keep ?? 0) % (line.length + 1));
    default: w.splice(i, 0, m.word ?? "");
  }
  return w.join(" ");
}

describe("ruleset parser and saver (fuzz)", () => {
  for (const [name, text] of Object.entries(REAL)) {
    it(`${name}: save(parse(text)) is a fixed point`, () => {
      const once = saved(text);
      expect(saved(once)).toBe(once);
    });
  }

  it("damaged real rulesets are accepted or refused with file:line:column", () => {
    const lines = Object.values(REAL).map((t) => t.split("\n"));
    let refused = 0;
    let accepted = 0;
    fc.assert(
      fc.property(fc.nat(lines.length - 1), fc.array(fc.tuple(fc.nat(), mutation), { minLength: 1, maxLength: 4 }), (which, muts) => {
        const copy = [...lines[which]!];
        for (const [li, m] of muts) copy[li % copy.length] = damage(copy[li % copy.length]!, m);
        if (parseOrRefuse(copy.join("\n")) === "refused") refused++;
        else accepted++;
      }),
      fuzzParams(),
    );
    expect(refused).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(0);
  }, FUZZ_TIMEOUT);

  it("whole-file damage: CRLF, unicode dashes and quotes, binary junk, empty and cut files", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(REAL)),
        fc.constantFrom("crlf", "dashes", "quotes", "cut", "binary", "empty", "bom") ,
        fc.nat(),
        fc.string({ unit: "binary", maxLength: 64 }),
        (text, how, n, junk) => {
          const damaged =
            how === "crlf" ? text.replace(/\n/g, "\r\n")
            : how === "dashes" ? text.replace(/--/g, (m, off: number) => (off % 3 === n % 3 ? "—" : m))
            : how === "quotes" ? text.replace(/"/g, (m, off: number) => (off % 2 === n % 2 ? "“" : m))
            : how === "cut" ? text.slice(0, n % (text.length + 1))
            : how === "binary" ? text.slice(0, n % (text.length + 1)) + junk + text.slice(n % (text.length + 1))
            : how === "bom" ? "\ufeff" + text
            : "";
          parseOrRefuse(damaged);
        },
      ),
      fuzzParams(),
    );
  }, FUZZ_TIMEOUT);
});
