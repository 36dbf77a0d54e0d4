// hangingWrap: a long line of a walk keeps its place in the tree when the terminal is narrow.
import { describe, expect, it } from "vitest";
import { hangingWrap } from "../../src/repl/hanging-wrap.js";

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

  it("keeps a line that fits, and one too deep to hang, as it is", () => {
    expect(hangingWrap("  short", 80)).toEqual(["  short"]);
    const deep = " ".repeat(50) + "x ".repeat(40);
    expect(hangingWrap(deep, 80)).toEqual([deep]);
  });

  it("colours: the indentation after the opening code is found, and the text comes through", () => {
    const coloured = `\x1b[2m    ${"KUBE-SERVICES #5  ✗ -d 10.43.0.1/32 — destination is 10.43.156.98 ".repeat(2)}\x1b[22m`;
    const rows = hangingWrap(coloured, 60);
    expect(rows.length).toBeGreaterThan(1);
    expect(strip(rows[0]!)).toMatch(/^ {4}KUBE-SERVICES/);
    for (const r of rows.slice(1)) expect(strip(r)).toMatch(/^ {6}\S/);
    for (const r of rows) expect([...strip(r)].length).toBeLessThanOrEqual(60);
  });
});
