/**
 * Lessons are Markdown files: a `# Lesson N — Title`, an intro, a ```ktrace setup block, then
 * `## N. Title` sections holding prose, ```ktrace blocks (commands the learner types),
 * ```expect blocks (what the output must contain) and at most one ```checkpoint block.
 *
 * Why: one file is the lesson for the REPL's lesson mode, the notebooks and the lesson test; a
 * lesson is only worth reading if what it claims is what ktrace prints, so the test runs every
 * block and checks every checkpoint. A malformed lesson fails loudly: file, line and the field.
 * An expect block lists lines that must appear in the previous command block's output, in
 * order (each as a substring of an output line); a line `...` is just for the reader.
 */
import { ParseError, didYouMean } from "../engine/parse/errors.js";
import { QUESTION_KINDS } from "../teach/questions.js";

export interface LessonStep {
  commands: string[];
  expect: string[];
  line: number; // where the ktrace block starts in the file
}

/** A question whose answer ktrace checks: computed from the walk (`ask`) or literal (`accept`). */
export interface Checkpoint {
  line: number;
  question: string;
  /** A question kind of src/teach/questions.ts, answered from the last packet's walk. */
  ask?: string;
  /** For `ask`: what the lesson test asserts the computed answer is. */
  expect?: string;
  /** For a conceptual question: the accepted answers (compared case-insensitively). */
  accept?: string[];
  hint?: string;
  why?: string;
}

/** What a section is made of, in file order: prose is shown, commands are typed, expect is for the test. */
export type LessonPart =
  | { kind: "prose"; markdown: string }
  | { kind: "commands"; step: LessonStep }
  | { kind: "expect"; lines: string[]; of: LessonStep }
  | { kind: "checkpoint"; checkpoint: Checkpoint };

export interface LessonSection {
  /** 1-based position among the sections (a heading without a number, "Try it yourself", counts too). */
  index: number;
  title: string;
  line: number;
  parts: LessonPart[];
  steps: LessonStep[];
  checkpoint?: Checkpoint;
}

export interface Lesson {
  file: string;
  title: string;
  intro: string; // Markdown between the title and the first section, setup block left out
  setup: string[]; // commands of a ```ktrace setup block, run first
  steps: LessonStep[]; // every command block, in order
  sections: LessonSection[];
}

const CHECKPOINT_FIELDS = ["question", "ask", "expect", "accept", "hint", "why"] as const;
type CheckpointField = (typeof CHECKPOINT_FIELDS)[number];

export function parseLesson(markdown: string, file = "lesson.md"): Lesson {
  const lines = markdown.split("\n");
  const fail = (line: number, column: number, token: string, detail: string): never => {
    throw new ParseError(file, line, column, token, detail);
  };
  let title = "(untitled)";
  const intro: string[] = [];
  let setup: string[] = [];
  const steps: LessonStep[] = [];
  const sections: LessonSection[] = [];
  let prose: string[] = [];
  const current = () => sections[sections.length - 1];
  const flushProse = () => {
    const text = prose.join("\n").trim();
    prose = [];
    if (!text) return;
    const sec = current();
    if (sec) sec.parts.push({ kind: "prose", markdown: text });
    else intro.push(text);
  };

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const n = i + 1;
    if (/^# /.test(raw) && title === "(untitled)" && sections.length === 0) {
      title = raw.slice(2).trim();
      continue;
    }
    const h = /^## +(?:(\d+)\. +)?(.+?)\s*$/.exec(raw);
    if (h) {
      flushProse();
      sections.push({ index: sections.length + 1, title: h[2]!, line: n, parts: [], steps: [] });
      continue;
    }
    const fence = /^```(\S*)(?:\s+(\S+))?\s*$/.exec(raw);
    if (!fence || fence[1] === "") {
      if (fence) {
        // a plain ``` block is prose: keep it whole
        prose.push(raw);
        for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) prose.push(lines[i]!);
        if (i >= lines.length) fail(n, 1, "```", "a code block is never closed");
        prose.push(lines[i]!);
      } else prose.push(raw);
      continue;
    }
    const kind = fence[1]!;
    const body: string[] = [];
    const start = n + 1;
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) fail(n, 1, "```" + kind, `the ${kind} block is never closed (a line of three backquotes ends it)`);
    if (kind !== "ktrace" && kind !== "expect" && kind !== "checkpoint") {
      // another language (```sh, ```text…) is prose for the reader
      prose.push(raw, ...body, "```");
      continue;
    }
    flushProse();
    const sec = current();
    if (kind === "ktrace") {
      const cmds = body.filter((l) => l.trim() && !l.trim().startsWith("#")).map((l) => l.trim());
      if (fence[2] === "setup") {
        if (sec) fail(n, 11, "setup", "the setup block belongs before the first section");
        setup = cmds;
        continue;
      }
      if (fence[2] !== undefined) fail(n, 11, fence[2], `unknown ktrace block tag "${fence[2]}" (only "setup")`);
      if (!sec) fail(n, 1, "```ktrace", "commands belong in a section (## 1. Title) or in the setup block");
      const step: LessonStep = { commands: cmds, expect: [], line: start };
      steps.push(step);
      sec!.steps.push(step);
      sec!.parts.push({ kind: "commands", step });
    } else if (kind === "expect") {
      const last = steps[steps.length - 1];
      if (!last) fail(n, 1, "```expect", "an expect block must follow a ktrace block");
      const want = body.filter((l) => l.trim() && l.trim() !== "...");
      last!.expect.push(...want);
      sec?.parts.push({ kind: "expect", lines: want, of: last! });
    } else {
      if (!sec) fail(n, 1, "```checkpoint", "a checkpoint belongs in a section");
      if (sec!.checkpoint) fail(n, 1, "```checkpoint", `section "${sec!.title}" already has a checkpoint (line ${sec!.checkpoint.line}); one per section`);
      const cp = parseCheckpoint(body, start, fail);
      sec!.checkpoint = cp;
      sec!.parts.push({ kind: "checkpoint", checkpoint: cp });
    }
  }
  flushProse();
  return { file, title, intro: intro.join("\n\n"), setup, steps, sections };
}

function parseCheckpoint(body: string[], start: number, fail: (line: number, column: number, token: string, detail: string) => never): Checkpoint {
  const fields = new Map<CheckpointField, { value: string; line: number; col: number }>();
  body.forEach((l, k) => {
    const line = start + k;
    if (!l.trim() || l.trim().startsWith("#")) return;
    const m = /^(\s*)([A-Za-z-]+)\s*:\s*(.*)$/.exec(l);
    if (!m) fail(line, 1, l.trim(), `checkpoint: expected "field: value", got "${l.trim()}"`);
    const key = m![2]!;
    const col = m![1]!.length + 1;
    if (!(CHECKPOINT_FIELDS as readonly string[]).includes(key)) {
      const dym = didYouMean(key, CHECKPOINT_FIELDS);
      fail(line, col, key, `checkpoint: unknown field "${key}"${dym ? ` (did you mean ${dym}?)` : ` (fields: ${CHECKPOINT_FIELDS.join(", ")})`}`);
    }
    if (fields.has(key as CheckpointField)) fail(line, col, key, `checkpoint: field "${key}" given twice`);
    const value = m![3]!.trim();
    if (!value) fail(line, col, key, `checkpoint: field "${key}" is empty`);
    fields.set(key as CheckpointField, { value, line, col: col + key.length + 2 });
  });
  const get = (k: CheckpointField) => fields.get(k)?.value;
  const question = get("question");
  if (!question) fail(start - 1, 1, "```checkpoint", "checkpoint: missing field \"question\"");
  const ask = fields.get("ask");
  const accept = fields.get("accept");
  if (ask && accept) fail(accept.line, 1, "accept", "checkpoint: give either ask (answer computed from the walk) or accept (literal answers), not both");
  if (!ask && !accept) fail(start - 1, 1, "```checkpoint", "checkpoint: needs ask: KIND (computed from the walk) or accept: A | B (literal answers)");
  if (ask && !fields.has("expect")) fail(ask.line, 1, "ask", "checkpoint: ask needs expect: (the answer the lesson test asserts the walk gives)");
  if (accept && fields.has("expect")) fail(fields.get("expect")!.line, 1, "expect", "checkpoint: expect goes with ask; with accept, list the answers in accept and explain them in why");
  if (accept && !fields.has("why")) fail(accept.line, 1, "accept", "checkpoint: accept needs why: (what the learner reads after answering)");
  if (ask && /\s/.test(ask.value)) fail(ask.line, ask.col, ask.value, `checkpoint: ask takes one question kind, got "${ask.value}"`);
  if (ask && !(QUESTION_KINDS as readonly string[]).includes(ask.value)) {
    const dym = didYouMean(ask.value, QUESTION_KINDS);
    fail(ask.line, ask.col, ask.value, `checkpoint: unknown question kind "${ask.value}" (${dym ? `did you mean ${dym}? ` : ""}kinds: ${QUESTION_KINDS.join(", ")})`);
  }
  const accepted = accept?.value.split("|").map((a) => a.trim()).filter(Boolean);
  if (accept && !accepted?.length) fail(accept.line, accept.col, accept.value, "checkpoint: accept lists no answer");
  return {
    line: start - 1,
    question: question!,
    ask: ask?.value,
    expect: get("expect"),
    accept: accepted,
    hint: get("hint"),
    why: get("why"),
  };
}

/** The expected lines missing from an output, in order. */
export function missingLines(output: string, expect: string[]): string[] {
  const out = output.split("\n");
  const missing: string[] = [];
  let at = 0;
  for (const e of expect) {
    const want = e.trim();
    const idx = out.findIndex((l, i) => i >= at && l.includes(want));
    if (idx < 0) missing.push(e);
    else at = idx + 1;
  }
  return missing;
}
