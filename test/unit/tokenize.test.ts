// Words of a restore line as iptables-restore splits them (docs/kernel-notes/save-and-restore.md):
// quotes open anywhere in a word and a closing quote ends it, a backslash escapes only inside
// quotes, single quotes are plain; each word keeps its column. Checked against a character-by-
// character reference on random lines, so the fast paths (plain words, runs inside quotes) cannot
// drift from the rules.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { tokenizeLine, type Token } from "../../src/engine/parse/tokenize.js";

/** The rules, one character at a time. */
function reference(line: string): Token[] | "unterminated" {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && (line[i] === " " || line[i] === "\t")) i++;
    if (i >= line.length) break;
    const start = i;
    let text = "";
    let quoted = false;
    let inQuote = false;
    while (i < line.length && (inQuote || (line[i] !== " " && line[i] !== "\t"))) {
      const ch = line[i]!;
      if (ch === "\\" && inQuote && i + 1 < line.length) {
        text += line[i + 1];
        i += 2;
      } else if (ch === '"') {
        quoted = true;
        i++;
        if (inQuote) {
          inQuote = false;
          break;
        }
        inQuote = true;
      } else {
        text += ch;
        i++;
      }
    }
    if (inQuote) return "unterminated";
    out.push({ text, column: start + 1, quoted });
  }
  return out;
}

describe("tokenizeLine", () => {
  it("kube-proxy's quoted comments, escapes and glued quotes", () => {
    expect(tokenizeLine('-A X -m comment --comment "ns/svc:http cluster IP" -j Y', "f", 1).map((t) => t.text)).toEqual(["-A", "X", "-m", "comment", "--comment", "ns/svc:http cluster IP", "-j", "Y"]);
    expect(tokenizeLine('--comment "a \\"b\\" c\\\\d"', "f", 1)[1]).toEqual({ text: 'a "b" c\\d', column: 11, quoted: true });
    expect(tokenizeLine('ab"c d"e', "f", 1).map((t) => t.text)).toEqual(["abc d", "e"]);
    expect(() => tokenizeLine('--comment "open', "f", 3)).toThrow(/f:3:11: unterminated quoted string/);
  });

  it("agrees with the character-by-character rules on random lines", () => {
    const piece = fc.constantFrom("a", "b", " ", "\t", '"', "\\", "'", "-", "é", "x y");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (ps) => {
        const line = ps.join("");
        const want = reference(line);
        if (want === "unterminated") expect(() => tokenizeLine(line, "f", 1)).toThrow(/unterminated/);
        else expect(tokenizeLine(line, "f", 1)).toEqual(want);
      }),
      { numRuns: 3000 },
    );
  });
});
