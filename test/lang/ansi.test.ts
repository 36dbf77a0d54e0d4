// The REPL draws the hook diagram in colour from the diagram's scene (the same scene the SVG is
// drawn from), and only where the text is that picture.
import { describe, expect, it } from "vitest";
import { articleSession, run } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";
import { ansiText } from "../../src/lang/ansi.js";

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

describe("ANSI output from typed results", () => {
  it("diagram: the coloured picture is the plain one plus colour", () => {
    const s = articleSession();
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    const r = runLine(s, "diagram");
    const ansi = ansiText(r);
    expect(ansi).toMatch(/\x1b\[\d+m/);
    expect(stripAnsi(ansi!).split("\n").map((l) => l.trimEnd())).toEqual(r.text.split("\n").map((l) => l.trimEnd()));
  });

  it("outputs that are not the picture itself stay as they are", () => {
    const s = articleSession();
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    expect(ansiText(runLine(s, "show path"))).toBeUndefined();
    expect(ansiText(runLine(s, "diagram -o /dev/null"))).toBeUndefined();
    expect(ansiText(runLine(s, "show state"))).toBeUndefined();
  });
});
