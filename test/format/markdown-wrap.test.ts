// Lesson prose filled to the terminal's width: marked-terminal's reflow may break a line between a
// code span and the punctuation after it (seen in the REPL, in colour, on lesson 15); the
// punctuation must stay with the word it follows.
import { describe, expect, it } from "vitest";

// colour as in a terminal: chalk decides once, when it is first loaded (below, after this line)
process.env.FORCE_COLOR = "1";
const { renderMarkdown, stripAnsi } = await import("../../src/format/markdown.js");

const PARA = [
  "For each direction, the kernel's names: `td_end` is just past the last byte that side sent,",
  "`td_maxend` the furthest byte the other side's window lets it send, `td_maxwin` the largest",
  "window it advertised (scaled by `wscale`, here 2^7). A segment must fit: its data may not reach",
  "past the sender's `td_maxend`, and it may not acknowledge what the other side never sent. (The",
  "timeout is 299, not five days: the pod's 1000 bytes are not acknowledged yet, and conntrack",
  "shortens the timeout while data is unacknowledged.)",
].join("\n");
const WORDS = PARA.replace(/`/g, "").replace(/\s+/g, " ");

describe("renderMarkdown", () => {
  it("never starts a line with the punctuation that followed a code span, at any width, in colour or not", () => {
    for (let width = 40; width <= 100; width++)
      for (const color of [false, true]) {
        const out = renderMarkdown(PARA, { color, width });
        if (color) expect(out).toMatch(/\x1b\[/); // really in colour
        const lines = stripAnsi(out).split("\n");
        for (const l of lines) expect(l, `width ${width}, colour ${color}`).not.toMatch(/^\s*[,.;:!?)]/);
        // nothing lost or doubled: the words are the paragraph's, in order
        expect(lines.join(" ").replace(/\s+/g, " ").trim()).toBe(WORDS);
      }
  });
});
