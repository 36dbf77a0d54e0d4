// Every lesson, followed the way a learner follows it in lesson mode: `lesson N` runs its setup,
// `lesson next` moves section by section, each section's command blocks run in the same session
// and print what its expect blocks say, and every checkpoint is asked and answered — the answer
// ktrace computes from the walk must be the lesson's `expect:`, the right answer is accepted
// through the `answer` command and a wrong one is rejected with feedback.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseLesson, missingLines, type Checkpoint } from "../src/lessons/parse.js";
import { lessonsDir, listLessons, readLesson } from "../src/lessons/library.js";
import { Session } from "../src/lang/session.js";
import { loadCanned } from "../src/sources/load.js";
import { runLine } from "../src/lang/commands/index.js";
import { nodeIo } from "../src/sources/io.js";
import { LessonMode } from "../src/teach/lesson-mode.js";
import { MemoryProgressStore } from "../src/teach/progress-store.js";
import { PLAIN } from "../src/format/markdown.js";
import { ask, isQuestionKind, type QuestionKind } from "../src/teach/questions.js";
import { checkCheckpoint } from "../src/teach/lesson-checkpoint.js";

const files = listLessons();

/** An answer of the right shape that the walk does not give. */
function wrongAnswer(kind: QuestionKind, right: string): string {
  const candidates: Record<QuestionKind, string[]> = {
    sep: ["KUBE-SEP-AAAAAAAAAAAAAAAA", "KUBE-SEP-BBBBBBBBBBBBBBBB"],
    svc: ["KUBE-SVC-AAAAAAAAAAAAAAAA", "KUBE-SVC-BBBBBBBBBBBBBBBB"],
    dnat: ["10.99.99.99:1", "10.98.98.98:2"],
    mark: ["0x1", "0x2"],
    "out-interface": ["lo", "enp3s0", "vxlan.calico"],
    drop: ["filter INPUT 99", "filter FORWARD 98"],
    "pod-source": ["10.99.99.99", "10.98.98.98"],
    fate: ["dropped", "delivered", "sent"],
    ctstate: ["INVALID", "ESTABLISHED", "NEW"],
    segment: ["INVALID, dropped", "ESTABLISHED, sent"],
  };
  const w = candidates[kind].find((c) => c.toLowerCase() !== right.toLowerCase());
  if (!w) throw new Error(`no wrong answer for ${kind}`);
  return w;
}

function checkpointAnswers(cp: Checkpoint, s: Session, where: string) {
  const q = s.question;
  expect(q?.prompt, `${where}: the section's checkpoint is pending`).toBe(cp.question);
  let right: string;
  let wrong: string;
  if (cp.ask !== undefined) {
    expect(isQuestionKind(cp.ask), `${where}: ask: ${cp.ask} is a question kind`).toBe(true);
    const asked = ask(cp.ask as QuestionKind, s);
    expect(asked.expected, `${where}: ktrace's answer from the walk`).toBe(cp.expect);
    right = cp.expect!;
    wrong = wrongAnswer(cp.ask as QuestionKind, asked.expected);
    expect(asked.accepts(wrong), `${where}: "${wrong}" must be wrong`).toBe(false);
  } else {
    expect(cp.accept?.length, `${where}: accept lists answers`).toBeGreaterThan(0);
    for (const a of cp.accept!) expect(checkCheckpoint(cp, s, a.toUpperCase()).right, `${where}: "${a}" is accepted`).toBe(true);
    right = cp.accept![0]!;
    wrong = "certainly not this";
  }
  const no = runLine(s, `answer ${wrong}`);
  expect(no.error, `${where}: answer ${wrong}`).toBeUndefined();
  expect(no.text, `${where}: a wrong answer is rejected`).toMatch(/^✗ Not right/);
  expect(no.text.split("\n").slice(1).join("\n").trim().length, `${where}: with feedback`).toBeGreaterThan(20);
  expect(s.question, `${where}: still pending after a wrong answer`).toBe(q);
  const yes = runLine(s, `answer ${right}`);
  expect(yes.error, `${where}: answer ${right}`).toBeUndefined();
  expect(yes.text, `${where}: the right answer is accepted`).toMatch(/^✓ Right/);
  expect(yes.text).toContain("checkpoint passed");
}

describe("lessons", () => {
  it("are found from the module's URL and numbered from their file names", () => {
    expect(lessonsDir()).toMatch(/lessons$/);
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(files[0]!.number).toBe(1);
  });

  for (const f of files) {
    it(f.slug, () => {
      const lesson = readLesson(f);
      expect(lesson.title, `${f.slug}: title`).toMatch(new RegExp(`^Lesson ${f.number} — \\S`));
      expect(lesson.setup.length, `${f.slug}: a setup block`).toBeGreaterThan(0);
      expect(lesson.sections.length, `${f.slug}: sections`).toBeGreaterThan(0);
      expect(lesson.steps.length).toBeGreaterThan(0);
      expect(lesson.sections.some((x) => x.checkpoint), `${f.slug}: at least one checkpoint`).toBe(true);

      const s = new Session(loadCanned("article"), nodeIo, 1);
      s.lessons = new LessonMode(new MemoryProgressStore(), PLAIN);
      const opened = runLine(s, `lesson ${f.number}`);
      expect(opened.error, `${f.slug}: lesson ${f.number}`).toBeUndefined();
      expect(opened.text).toContain(lesson.title);

      for (const [i, sec] of lesson.sections.entries()) {
        const where = `lessons/${f.slug}.md:${sec.line}`;
        if (i > 0) {
          const r = runLine(s, "lesson next");
          expect(r.error, `${where}: lesson next`).toBeUndefined();
          expect(r.text, `${where}: shows the section`).toContain(`${sec.index}. ${sec.title}`);
        }
        for (const step of sec.steps) {
          let out = "";
          for (const c of step.commands) {
            const r = runLine(s, c);
            expect(r.error, `lessons/${f.slug}.md:${step.line}: ${c}`).toBeUndefined();
            out += r.text + "\n";
          }
          expect(missingLines(out, step.expect), `lessons/${f.slug}.md:${step.line}: lines missing from the output of\n${step.commands.join("\n")}\n---\n${out}`).toEqual([]);
        }
        if (sec.checkpoint) checkpointAnswers(sec.checkpoint, s, `${where} (checkpoint at line ${sec.checkpoint.line})`);
      }
      const end = runLine(s, "lesson next");
      expect(end.text).toContain(`End of ${lesson.title}`);
    });
  }

  it("the parser keeps reading the old format (commands and expects, no sections)", () => {
    const l = parseLesson(readFileSync(files[0]!.path, "utf8"));
    expect(l.steps.every((st) => st.commands.length > 0)).toBe(true);
    expect(missingLines("a\nb\nc", ["a", "c"])).toEqual([]);
    expect(missingLines("a\nb\nc", ["c", "a"])).toEqual(["a"]);
  });
});
