/**
 * Lessons are Markdown files whose ```ktrace blocks are commands and whose ```expect blocks
 * say what the output must contain.
 *
 * Why: a lesson is only worth reading if what it claims is what ktrace prints; the lesson test
 * runs every block, so a lesson cannot silently drift from the engine.
 * An expect block lists lines that must appear in the previous command block's output, in
 * order (each as a substring of an output line); a line `...` is just for the reader.
 */
export interface LessonStep {
  commands: string[];
  expect: string[];
  line: number; // where the ktrace block starts in the file
}

export interface Lesson {
  title: string;
  setup: string[]; // commands of a ```ktrace setup block, run first
  steps: LessonStep[];
}

export function parseLesson(markdown: string): Lesson {
  const lines = markdown.split("\n");
  const title = (lines.find((l) => l.startsWith("# ")) ?? "# (untitled)").slice(2).trim();
  const steps: LessonStep[] = [];
  let setup: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^```(ktrace|expect)(?:\s+(\w+))?\s*$/.exec(lines[i]!);
    if (!m) continue;
    const body: string[] = [];
    const start = i + 1;
    for (i++; i < lines.length && !lines[i]!.startsWith("```"); i++) body.push(lines[i]!);
    if (m[1] === "ktrace") {
      const cmds = body.filter((l) => l.trim() && !l.trim().startsWith("#"));
      if (m[2] === "setup") setup = cmds;
      else steps.push({ commands: cmds, expect: [], line: start });
    } else {
      const last = steps[steps.length - 1];
      if (!last) throw new Error(`line ${start}: an expect block must follow a ktrace block`);
      last.expect.push(...body.filter((l) => l.trim() && l.trim() !== "..."));
    }
  }
  return { title, setup, steps };
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
