// A damaged rules file gives a ParseError or RuleError (file:line:col), never a crash: random
// mutations of the canned ruleset — words dropped, swapped, duplicated, characters changed.
import { describe, expect, it } from "vitest";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";
import { isUserError } from "../../src/engine/parse/errors.js";
import { ARTICLE_RULES } from "../../src/sources/canned/article-rules.js";
import { createRng } from "../../src/engine/rng.js";

describe("parser fuzz", () => {
  it("every mutation is accepted or refused with a user error", () => {
    const rng = createRng(9);
    const lines = ARTICLE_RULES.split("\n");
    let refused = 0;
    for (let i = 0; i < 1500; i++) {
      const copy = [...lines];
      const li = rng.u32() % copy.length;
      const words = copy[li]!.split(" ");
      const wi = rng.u32() % Math.max(1, words.length);
      switch (rng.u32() % 5) {
        case 0: words.splice(wi, 1); break;
        case 1: words.splice(wi, 0, words[rng.u32() % words.length] ?? "x"); break;
        case 2: [words[wi], words[0]] = [words[0] ?? "", words[wi] ?? ""]; break;
        case 3: words[wi] = (words[wi] ?? "").slice(0, -1); break;
        default: words[wi] = String.fromCharCode(33 + (rng.u32() % 90)) + (words[wi] ?? "");
      }
      copy[li] = words.join(" ");
      try {
        parseRuleset(copy.join("\n"), { file: "m.rules" });
      } catch (e) {
        expect(isUserError(e), `${copy[li]}\n${(e as Error).stack}`).toBe(true);
        expect((e as Error).message).toMatch(/^m\.rules:\d+(:\d+)?: \S/);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(300);
  });
});
