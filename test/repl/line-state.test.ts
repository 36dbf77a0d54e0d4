// The prompt's keyboard behaviour as a reducer: history browsing keeps the draft, Tab completes
// a unique candidate and the common prefix of several.
import { describe, expect, it } from "vitest";
import { applyControlKeys, completionRows, initialLine, isLetterInserted, lineReducer, type LineAction, type LineState } from "../../src/repl/line-state.js";

const apply = (s: LineState, ...as: LineAction[]) => as.reduce(lineReducer, s);

describe("prompt line", () => {
  it("up/down browse history and come back to the draft", () => {
    let s = apply(initialLine(["send a", "show state"]), { type: "change", value: "ste" });
    s = apply(s, { type: "up" });
    expect(s.value).toBe("show state");
    s = apply(s, { type: "up" }, { type: "up" });
    expect(s.value).toBe("send a");
    s = apply(s, { type: "down" }, { type: "down" });
    expect(s.value).toBe("ste");
  });
  it("submitting records the line once and clears it", () => {
    const s = apply(initialLine(["x"]), { type: "change", value: "x" }, { type: "submitted" }, { type: "change", value: "y" }, { type: "submitted" });
    expect(s.history).toEqual(["x", "y"]);
    expect(s.value).toBe("");
  });
  it("Tab: one candidate completes with a space, several extend to the common prefix", () => {
    let s = apply(initialLine(), { type: "change", value: "show chain nat KUBE-SV" }, { type: "complete", candidates: ["KUBE-SVC-AAA", "KUBE-SVC-AB"] });
    expect(s.value).toBe("show chain nat KUBE-SVC-A");
    expect(s.completions).toEqual(["KUBE-SVC-AAA", "KUBE-SVC-AB"]);
    s = apply(s, { type: "complete", candidates: ["KUBE-SVC-AB"] });
    expect(s.value).toBe("show chain nat KUBE-SVC-AB ");
  });
  it("Ctrl-C cancels the line", () => {
    expect(apply(initialLine(), { type: "change", value: "send" }, { type: "cancel" }).value).toBe("");
  });

  it("Tab's candidates: columns down then across, every row within the terminal, the rest counted", () => {
    const names = Array.from({ length: 500 }, (_, i) => `KUBE-SEP-${String(i).padStart(16, "X")}`); // 25 characters
    const rows = completionRows(names, 159, 10);
    // 27-character columns: five fit in 159 (six would need 160, the last without its gap)
    expect(rows).toHaveLength(11);
    for (const r of rows) expect(r.length).toBeLessThanOrEqual(159);
    expect(rows[0]!.split(/\s+/)).toEqual([names[0], names[10], names[20], names[30], names[40]]);
    expect(rows[1]!.startsWith(names[1]!)).toBe(true);
    expect(rows[10]).toBe("… 450 more: type more of the name");
    // few candidates: as many rows as they need, nothing counted
    expect(completionRows(["step", "stats", "show"], 80)).toEqual(["step   stats  show"]);
    expect(completionRows(["a", "b", "c"], 4)).toEqual(["a  c", "b"]);
    expect(completionRows([], 80)).toEqual([]);
  });

  it("a Ctrl key's letter is recognised wherever the input inserted it, and nothing else is", () => {
    expect(isLetterInserted("abcu", "abc", "u")).toBe(true);
    expect(isLetterInserted("uabc", "abc", "u")).toBe(true);
    expect(isLetterInserted("abuc", "abc", "u")).toBe(true);
    expect(isLetterInserted("abcd", "abc", "u")).toBe(false);
    expect(isLetterInserted("abcuu", "abc", "u")).toBe(false);
    expect(isLetterInserted("def", "", "u")).toBe(false);
    // the REPL's own edit of the line re-mounts the input (its cursor goes to the end)
    const s = apply(initialLine(), { type: "change", value: "abc" }, { type: "set", value: "ab" });
    expect(s.value).toBe("ab");
    expect(s.revision).toBe(1);
  });

  it("Ctrl keys inside a burst: Ctrl-U clears what came before, Ctrl-W a word, other controls are dropped", () => {
    expect(applyControlKeys("abc\x15sh")).toBe("sh");
    expect(applyControlKeys("show chain nat\x17filter")).toBe("show chain filter");
    expect(applyControlKeys("ab\x01c\x7f")).toBe("abc");
    expect(applyControlKeys("send\tx")).toBe("send\tx"); // Tab and line breaks are the caller's
    expect(applyControlKeys("a\rb\n")).toBe("a\rb\n");
    expect(applyControlKeys("plain")).toBe("plain");
  });
});
