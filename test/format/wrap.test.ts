// wrapWords: prose built in code is broken at spaces to fit the terminal, never inside a word.
import { describe, expect, it } from "vitest";
import { wrapWords } from "../../src/format/wrap.js";

describe("wrapWords", () => {
  it("breaks at the last space that fits, and keeps every word", () => {
    const text = "── lesson next (PageDown) · lesson prev (PageUp) · lesson again · lesson quit — any command works meanwhile";
    const out = wrapWords(text, 40);
    for (const line of out.split("\n")) expect([...line].length).toBeLessThanOrEqual(40);
    expect(out.split("\n").length).toBe(3);
    expect(out.replace(/\n/g, " ")).toBe(text);
  });

  it("leaves a short line, its own line breaks, and a word longer than the width alone", () => {
    expect(wrapWords("short", 40)).toBe("short");
    expect(wrapWords("one\ntwo", 3)).toBe("one\ntwo");
    expect(wrapWords("KUBE-SEP-K2TSZVL3H2B3SPTV is next", 10)).toBe("KUBE-SEP-K2TSZVL3H2B3SPTV\nis next");
  });
});
