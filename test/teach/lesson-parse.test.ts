// The lesson format: sections, their parts in order, checkpoints with every field — and parse
// errors that name the file, the line, the column and the offending field.
import { describe, expect, it } from "vitest";
import { parseLesson } from "../../src/lessons/parse.js";
import { ParseError } from "../../src/engine/parse/errors.js";

const fence = "```";
const lesson = (body: string) => `# Lesson 9 — A test\n\nIntro *text*.\n\n${fence}ktrace setup\nload canned article\nseed 3\n${fence}\n\n${body}`;

function parseError(md: string): ParseError {
  try {
    parseLesson(md, "lessons/09-test.md");
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error("parsed without an error");
}

describe("lesson format", () => {
  it("title, intro, setup, sections with prose, commands, expects and a checkpoint", () => {
    const l = parseLesson(
      lesson(`## 1. First\n\nSome prose.\n\n${fence}ktrace\n# a comment\nsend tcp 1.2.3.4:5 -> 6.7.8.9:10\n${fence}\n\n${fence}expect\nFATE\n...\n${fence}\n\n${fence}checkpoint\nquestion: Which chain?\nask: sep\nexpect: KUBE-SEP-X\nhint: look\n${fence}\n\n## Try it yourself\n\n- a list\n\n${fence}text\nnot a command\n${fence}\n`),
      "lessons/09-test.md",
    );
    expect(l.title).toBe("Lesson 9 — A test");
    expect(l.intro).toBe("Intro *text*.");
    expect(l.setup).toEqual(["load canned article", "seed 3"]);
    expect(l.sections.map((s) => [s.index, s.title])).toEqual([
      [1, "First"],
      [2, "Try it yourself"],
    ]);
    const [first, second] = l.sections;
    expect(first!.parts.map((p) => p.kind)).toEqual(["prose", "commands", "expect", "checkpoint"]);
    expect(first!.parts[2]).toMatchObject({ kind: "expect", lines: ["FATE"], of: first!.steps[0] });
    expect(first!.steps[0]).toEqual({ commands: ["send tcp 1.2.3.4:5 -> 6.7.8.9:10"], expect: ["FATE"], line: 15 });
    expect(first!.checkpoint).toEqual({ line: 24, question: "Which chain?", ask: "sep", expect: "KUBE-SEP-X", accept: undefined, hint: "look", why: undefined });
    expect(second!.parts).toEqual([{ kind: "prose", markdown: "- a list\n\n```text\nnot a command\n```" }]);
    expect(l.steps).toHaveLength(1);
  });

  it("accept: answers split on |, with why", () => {
    const l = parseLesson(lesson(`## 1. Q\n\n${fence}checkpoint\nquestion: Which table first?\naccept: raw | the raw table |\nwhy: priority -300\n${fence}\n`));
    expect(l.sections[0]!.checkpoint).toMatchObject({ accept: ["raw", "the raw table"], why: "priority -300" });
  });

  it("an expect block in a later section still checks the command block before it", () => {
    const l = parseLesson(lesson(`## 1. A\n\n${fence}ktrace\nsend x\n${fence}\n\n## 2. B\n\n${fence}expect\nline\n${fence}\n`));
    expect(l.steps[0]!.expect).toEqual(["line"]);
    expect(l.sections[1]!.steps).toEqual([]);
  });

  const cases: [string, string, number, number, string, RegExp][] = [
    ["an unknown field, with did-you-mean", `## 1. A\n\n${fence}checkpoint\nquestion: Q?\n  qestion: again\n${fence}\n`, 14, 3, "qestion", /checkpoint: unknown field "qestion" \(did you mean question\?\)/],
    ["ask and accept together", `## 1. A\n\n${fence}checkpoint\nquestion: Q?\nask: sep\nexpect: X\naccept: y\nwhy: z\n${fence}\n`, 16, 1, "accept", /either ask .* or accept/],
    ["ask without expect", `## 1. A\n\n${fence}checkpoint\nquestion: Q?\nask: sep\n${fence}\n`, 14, 1, "ask", /ask needs expect:/],
    ["accept without why", `## 1. A\n\n${fence}checkpoint\nquestion: Q?\naccept: raw\n${fence}\n`, 14, 1, "accept", /accept needs why:/],
    ["no question", `## 1. A\n\n${fence}checkpoint\nask: sep\nexpect: X\n${fence}\n`, 12, 1, "```checkpoint", /missing field "question"/],
    ["a field twice", `## 1. A\n\n${fence}checkpoint\nquestion: Q?\nquestion: R?\n${fence}\n`, 14, 1, "question", /given twice/],
    ["an empty field", `## 1. A\n\n${fence}checkpoint\nquestion: Q?\nhint:\n${fence}\n`, 14, 1, "hint", /field "hint" is empty/],
    ["a line that is no field", `## 1. A\n\n${fence}checkpoint\nquestion: Q?\njust words\n${fence}\n`, 14, 1, "just words", /expected "field: value"/],
    ["two checkpoints in a section", `## 1. A\n\n${fence}checkpoint\nquestion: Q?\naccept: a\nwhy: b\n${fence}\n\n${fence}checkpoint\nquestion: R?\naccept: a\nwhy: b\n${fence}\n`, 18, 1, "```checkpoint", /already has a checkpoint \(line 12\)/],
    ["a block never closed", `## 1. A\n\n${fence}ktrace\nsend x\n`, 12, 1, "```ktrace", /never closed/],
    ["commands before any section", `${fence}ktrace\nsend x\n${fence}\n`, 10, 1, "```ktrace", /commands belong in a section/],
    ["expect before any command", `## 1. A\n\n${fence}expect\nx\n${fence}\n`, 12, 1, "```expect", /must follow a ktrace block/],
    ["setup inside a section", `## 1. A\n\n${fence}ktrace setup\nseed 1\n${fence}\n`, 12, 11, "setup", /setup block belongs before the first section/],
    ["an unknown block tag", `## 1. A\n\n${fence}ktrace later\nseed 1\n${fence}\n`, 12, 11, "later", /unknown ktrace block tag "later"/],
    ["an unknown question kind", `## 1. A\n\n${fence}checkpoint\nquestion: Q?\nask: spe\nexpect: X\n${fence}\n`, 14, 6, "spe", /unknown question kind "spe" \(did you mean sep\? kinds: sep, svc/],
    ["ask of two words", `## 1. A\n\n${fence}checkpoint\nquestion: Q?\nask: sep svc\nexpect: X\n${fence}\n`, 14, 6, "sep svc", /ask takes one question kind/],
  ];
  for (const [name, body, line, column, token, message] of cases) {
    it(`error: ${name}`, () => {
      const e = parseError(lesson(body));
      expect(e.file).toBe("lessons/09-test.md");
      expect([e.line, e.column, e.token]).toEqual([line, column, token]);
      expect(e.message).toMatch(new RegExp(`^lessons/09-test\\.md:${line}:${column}: `));
      expect(e.message).toMatch(message);
    });
  }
});
