// hangingWrap: a long line of a walk keeps its place in the tree when the terminal is narrow.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import stringWidth from "string-width";
import { hangingWrap, MAX_ROWS_PER_LINE } from "../../src/repl/hanging-wrap.js";

const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

describe("hangingWrap", () => {
  const rule = '      cali-POSTROUTING #2  ✓ JUMP:cali-to-host-endpoint  -A cali-POSTROUTING -m comment --comment "cali:nquN8Jw8Tz72pcBW" -m conntrack --ctstate DNAT -j cali-to-host-endpoint   [hidden from the kernel trace]';

  it("breaks at spaces, every row within the width, continuation rows two columns right of the text", () => {
    const rows = hangingWrap(rule, 80);
    expect(rows.length).toBeGreaterThan(1);
    for (const r of rows) expect([...r].length).toBeLessThanOrEqual(80);
    expect(rows[0]!.startsWith("      cali-POSTROUTING #2")).toBe(true);
    for (const r of rows.slice(1)) expect(r).toMatch(/^ {8}\S/);
    // nothing lost, nothing added but the indentation
    expect(rows.map((r) => r.trim()).join(" ")).toBe(rule.trim());
  });

  it("a row of two columns (help's list) continues under its second column", () => {
    const row = "  break     stop `continue` when the walk reaches a chain, table, hook, rule or verdict, or conntrack gives the packet a state";
    const rows = hangingWrap(row, 60);
    expect(rows[0]).toBe("  break     stop `continue` when the walk reaches a chain,");
    for (const r of rows.slice(1)) expect(r).toMatch(/^ {12}\S/);
    expect(rows.map((r) => r.trim()).join(" ")).toBe(row.trim());
    // a second column too far right hangs two columns in, as any line
    const far = `  ${"x".repeat(30)}  ${"word ".repeat(20)}`;
    for (const r of hangingWrap(far, 60).slice(1)) expect(r).toMatch(/^ {4}\S/);
  });

  it("keeps a line that fits as it is; one too deep to hang is broken at the edge, every row within the width", () => {
    expect(hangingWrap("  short", 80)).toEqual(["  short"]);
    const deep = " ".repeat(50) + "x ".repeat(40);
    const rows = hangingWrap(deep, 80);
    expect(rows.length).toBeGreaterThan(1);
    for (const r of rows) expect(r.length).toBeLessThanOrEqual(80);
    expect(rows.join(" ").replace(/ +/g, " ").trim()).toBe(deep.trim());
  });

  it("colours: the indentation after the opening code is found, and the text comes through", () => {
    const coloured = `\x1b[2m    ${"KUBE-SERVICES #5  ✗ -d 10.43.0.1/32 — destination is 10.43.156.98 ".repeat(2)}\x1b[22m`;
    const rows = hangingWrap(coloured, 60);
    expect(rows.length).toBeGreaterThan(1);
    expect(strip(rows[0]!)).toMatch(/^ {4}KUBE-SERVICES/);
    for (const r of rows.slice(1)) expect(strip(r)).toMatch(/^ {6}\S/);
    for (const r of rows) expect([...strip(r)].length).toBeLessThanOrEqual(60);
  });

  it("a colour open where a row breaks is opened again on the next row, and each row closes what it opened", () => {
    const line = `  \x1b[32m${"green ".repeat(30)}\x1b[39m plain`;
    const rows = hangingWrap(line, 40);
    expect(rows.length).toBeGreaterThan(2);
    for (const r of rows.slice(1, -1)) expect(r).toMatch(/^ {4}\x1b\[32m.*\x1b\[0m$/);
    expect(rows.map((r) => strip(r).trim()).join(" ")).toBe(strip(line).trim().replace(/ +/g, " "));
    expect(rows[rows.length - 1]).toBe("    \x1b[32m\x1b[39mplain\x1b[0m");
  });

  it("a word longer than a row is cut; wide characters take two cells", () => {
    const rows = hangingWrap(`  ${"x".repeat(200)}`, 40);
    // the first row starts at the indentation, the others two columns further
    expect(rows.map((r) => r.length)).toEqual([40, 40, 40, 40, 40, 22]);
    const wide = hangingWrap(`  ${"漢".repeat(60)}`, 40);
    for (const r of wide) expect(r.length - r.trimStart().length + 2 * r.trim().length).toBeLessThanOrEqual(40);
    expect(wide.map((r) => r.trim()).join("")).toBe("漢".repeat(60));
  });

  it("a line far too long for the screen: its first rows, then how many characters are left", () => {
    const line = `  ${"word ".repeat(200_000)}`;
    const rows = hangingWrap(line, 80);
    expect(rows).toHaveLength(MAX_ROWS_PER_LINE);
    expect(rows[rows.length - 1]).toMatch(/^ {4}… [\d,]+ more characters on this line \(add > FILE to the command to write all of it\)$/);
    const shown = rows.slice(0, -1).map((r) => r.trim()).join(" ").length;
    const more = Number(/… ([\d,]+) more/.exec(rows[rows.length - 1]!)![1]!.replace(/,/g, ""));
    expect(shown + more).toBeGreaterThanOrEqual(line.trim().length - MAX_ROWS_PER_LINE);
    expect(shown + more).toBeLessThanOrEqual(line.length);
  });

  it("any line: rows fit, indentation hangs, and the words come through in order", () => {
    const word = fc.oneof(fc.stringMatching(/^[a-z0-9:=.-]{1,30}$/), fc.constantFrom("✓", "✗", "—", "→", "KUBE-SEP-K2TSZVL3H2B3SPTV", "\x1b[32mgreen\x1b[39m"));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.array(word, { minLength: 1, maxLength: 60 }), fc.integer({ min: 20, max: 120 }), (indent, words, columns) => {
        const line = " ".repeat(indent) + words.join(" ");
        const rows = hangingWrap(line, columns);
        const deep = indent + 2 > columns / 2;
        if (strip(line).length <= columns) {
          expect(rows).toEqual([line]);
          return;
        }
        for (const r of rows) expect([...strip(r)].length).toBeLessThanOrEqual(columns);
        if (!deep) for (const r of rows.slice(1)) expect(strip(r).startsWith(" ".repeat(indent + 2))).toBe(true);
        expect(rows.map((r) => strip(r).trim()).join("").replace(/ /g, "")).toBe(strip(words.join("")).replace(/ /g, ""));
      }),
    );
  });

  it("rows fit as the terminal measures them (string-width, what ink measures): CJK, emoji, tabs, colours", () => {
    const word = fc.oneof(fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.constantFrom("漢字", "✅", "❌", "⏳", "❤️", "🙂", "✓", "e\u0301", "\t", "\x1b[31mred\x1b[39m", "\x1b[1mbold\x1b[22m"));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.array(word, { minLength: 1, maxLength: 50 }), fc.integer({ min: 8, max: 100 }), (indent, words, columns) => {
        const rows = hangingWrap(" ".repeat(indent) + words.join(" "), columns);
        for (const r of rows) expect(stringWidth(r)).toBeLessThanOrEqual(columns);
      }),
    );
  });

  it("no empty first row when the indentation holds a colour code; colour codes do not pile up", () => {
    const rows = hangingWrap(`  \x1b[31m  ${"x".repeat(60)}`, 40);
    expect(strip(rows[0]!).trim()).not.toBe("");
    const line = "  " + "\x1b[32mgreen\x1b[39m ".repeat(5000);
    const out = hangingWrap(line, 80).join("\n");
    expect(out.length).toBeLessThan(2 * line.length);
  });
});
