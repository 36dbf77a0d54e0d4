// Lesson mode on a live session: opening a lesson, moving through its sections, checkpoints
// answered right and wrong, hints, free commands mid-lesson, progress saved to and restored from
// an XDG state directory (a temp dir here), a corrupt progress file, the atomic write, and plain
// text when NO_COLOR or not a TTY.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { articleSession } from "../helpers/session.js";
import { completeLine, runLine } from "../../src/lang/commands/index.js";
import { LessonMode, lessonModeOf } from "../../src/teach/lesson-mode.js";
import { FileProgressStore, MemoryProgressStore, defaultProgressPath, type Progress } from "../../src/teach/progress-store.js";
import { PLAIN, balanceAnsiLines, renderMarkdown, renderSection, terminalStyle } from "../../src/format/markdown.js";
import { listLessons, readLesson } from "../../src/lessons/library.js";
import type { Session } from "../../src/lang/session.js";

const ESC = "\u001b[";
let dir: string;
const savedXdg = process.env.XDG_STATE_HOME;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ktrace-lesson-"));
  process.env.XDG_STATE_HOME = dir;
});
afterEach(() => {
  if (savedXdg === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = savedXdg;
  rmSync(dir, { recursive: true, force: true });
});

const progressFile = () => join(dir, "ktrace", "progress.json");

/** A session whose lesson mode writes to the temp XDG dir, in plain text. */
function session(): Session {
  const s = articleSession(1);
  s.lessons = new LessonMode(new FileProgressStore(defaultProgressPath()), PLAIN);
  return s;
}

function ok(s: Session, line: string): string {
  const r = runLine(s, line);
  if (r.error) throw new Error(`${line}: ${r.error}`);
  return [r.text, r.note].filter(Boolean).join("\n");
}

const lesson1 = readLesson(listLessons().find((f) => f.number === 1)!);

describe("lesson mode", () => {
  it("lesson 1 opens: title, intro, the first section's commands and question — not its expect block", () => {
    const s = session();
    const text = ok(s, "lesson 1");
    expect(text).toContain("Lesson 1 — Follow the article's curl");
    expect(text).toContain(`1. ${lesson1.sections[0]!.title} (section 1 of ${lesson1.sections.length})`);
    expect(text).toContain("type:  route get 10.43.156.98");
    expect(text).toContain("? Checkpoint: Before any hook runs, which interface");
    // the expect block is the test's: the learner sees the real output when typing the command
    expect(text).not.toContain("10.43.156.98 via 192.168.1.1 dev enp3s0 src 192.168.1.88");
    expect(s.question?.source).toBe("lesson 1, section 1");
    // the setup ran in this session
    expect(s.seed).toBe(71508);
  });

  it("a paragraph that leads into an expect block points at the output instead of ending on a colon", () => {
    const s = session();
    ok(s, "lesson 1");
    const second = ok(s, "lesson next").replace(/\s+/g, " ");
    expect(second).toContain('the "MARK rule that didn\'t show up" the article wondered about (see the output of send …).');
    expect(second).toContain("so the last endpoint is chosen (see the output of send …).");
    // every shipped lesson: no paragraph shown ends on a colon with nothing after it
    for (const f of listLessons()) {
      const lesson = readLesson(f);
      for (const section of lesson.sections) {
        const shown = renderSection(section, PLAIN, { of: lesson.sections.length, passed: false });
        expect(shown, `${f.slug} section ${section.index}`).not.toMatch(/:\n\n(?!  type|\? Checkpoint|\s*[-*•]|\s{2,}\S)/);
        expect(shown.trimEnd(), `${f.slug} section ${section.index}`).not.toMatch(/:$/);
      }
    }
  });

  it("lesson next and lesson prev move through the sections; prev stops at the first", () => {
    const s = session();
    ok(s, "lesson 1");
    expect(ok(s, "lesson next")).toContain(`2. ${lesson1.sections[1]!.title}`);
    const third = ok(s, "lesson next");
    expect(third).toContain(`3. ${lesson1.sections[2]!.title}`);
    // section 3 has no commands of its own: it reads on in section 2's output, and says so
    expect(third).toContain("(nothing to type here: this section reads the output of send tcp 192.168.1.88:49058 -> 10.43.156.98:9898 above)");
    expect(ok(s, "lesson prev")).toContain(`2. ${lesson1.sections[1]!.title}`);
    ok(s, "lesson prev");
    const first = runLine(s, "lesson prev");
    expect(first.text).toContain(`1. ${lesson1.sections[0]!.title}`);
    expect(first.note).toContain("already at the first section");
    expect(ok(s, "lesson again")).toContain(`1. ${lesson1.sections[0]!.title}`);
    expect(ok(s, "lesson")).toContain(`1. ${lesson1.sections[0]!.title}`);
  });

  it("a checkpoint: a wrong answer is explained, the right one accepted and recorded", () => {
    const s = session();
    ok(s, "lesson 1");
    const wrong = ok(s, "answer eth0");
    expect(wrong).toMatch(/^✗ Not right \(lesson 1, section 1\)/);
    expect(wrong).toContain("Hint: Read the word after `dev`");
    const again = ok(s, "answer lo");
    expect(again).toContain("The answer: enp3s0");
    const right = ok(s, "answer ENP3S0");
    expect(right).toMatch(/^✓ Right: enp3s0/);
    expect(right).toContain("the default route via 192.168.1.1 on enp3s0 wins");
    expect(right).toContain("checkpoint passed (1 of");
    const p = JSON.parse(readFileSync(progressFile(), "utf8")) as Progress;
    expect(p.lessons["01-follow-the-curl"]!.passed).toEqual([1]);
  });

  it("an ask: checkpoint is answered from the learner's own walk", () => {
    const s = session();
    ok(s, "lesson 1");
    ok(s, "lesson next");
    // no packet yet: the walk cannot answer, and says so
    const early = runLine(s, "answer KUBE-SEP-OYNVDBAPYJ623W6H");
    expect(early.error).toContain("no packet sent yet");
    expect(early.hint).toBe("the question is about the lesson's packet: type the section's commands first (lesson again shows them)");
    ok(s, "format explain");
    ok(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    const wrong = ok(s, "answer KUBE-SEP-AAAAAAAAAAAAAAAA");
    expect(wrong).toMatch(/^✗ Not right/);
    expect(wrong).toContain("KUBE-SVC-Y4T5L63IYP3YFEBS");
    const right = ok(s, "answer kube-sep-oynvdbapyj623w6h");
    expect(right).toMatch(/^✓ Right: KUBE-SEP-OYNVDBAPYJ623W6H\.\n/);
    // then the lesson's why, not a second confirmation
    expect(right.split("\n")[1]).toBe(lesson1.sections[1]!.checkpoint!.why);
  });

  it("any command works mid-lesson; a checkpoint then says when the last packet is not the lesson's", () => {
    const s = session();
    ok(s, "lesson 1");
    ok(s, "lesson next");
    expect(ok(s, "iptables -t nat -L KUBE-SERVICES -n")).toContain("KUBE-SVC-Y4T5L63IYP3YFEBS");
    expect(ok(s, "route get 10.42.54.194")).toContain("vxlan.calico");
    ok(s, "seed 2");
    ok(s, "send tcp 192.168.1.88:40000 -> 10.43.156.98:9898");
    expect(ok(s, "show conntrack")).toContain("dport=9898");
    expect(ok(s, "lesson again")).toContain(`2. ${lesson1.sections[1]!.title}`);
    const r = ok(s, "answer KUBE-SEP-OYNVDBAPYJ623W6H");
    // seed 2 takes the other endpoint: the verdict follows the learner's walk, and says so
    expect(r).toMatch(/^✗ Not right/);
    expect(r).toContain("that is not the lesson's packet, which gives KUBE-SEP-OYNVDBAPYJ623W6H");
  });

  it("hint: the checkpoint's, a section without a question, nothing pending", () => {
    const s = session();
    expect(runLine(s, "hint").error).toContain("no question is pending");
    ok(s, "lesson 1");
    expect(ok(s, "hint")).toBe("Hint (lesson 1, section 1): Read the word after `dev` in the route get output.");
    const plain = lesson1.sections.findIndex((x) => !x.checkpoint);
    expect(plain).toBeGreaterThan(0);
    ok(s, `lesson 1 ${plain + 1}`);
    expect(s.question).toBeUndefined();
    expect(ok(s, "hint")).toContain("this section asks no question");
  });

  it("answer with nothing pending, or with no text, says so", () => {
    const s = session();
    const r = runLine(s, "answer raw");
    expect(r.error).toBe("no question is pending");
    expect(r.hint).toContain("lesson N");
    ok(s, "lesson 1");
    expect(runLine(s, "answer").error).toBe("answer what?");
    expect(runLine(s, "answer").hint).toContain("Before any hook runs");
  });

  it("progress is saved in $XDG_STATE_HOME/ktrace and a new session resumes there", () => {
    const s = session();
    ok(s, "lesson 1");
    ok(s, "answer enp3s0");
    ok(s, "lesson next");
    ok(s, "format explain");
    ok(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    ok(s, "answer KUBE-SEP-OYNVDBAPYJ623W6H");
    ok(s, "lesson next");
    const p = JSON.parse(readFileSync(progressFile(), "utf8")) as Progress;
    expect(p.current).toBe("01-follow-the-curl");
    expect(p.lessons["01-follow-the-curl"]).toEqual({ section: 3, passed: [1, 2] });

    // the next day: a fresh session with the default store from the environment
    const t = articleSession(1);
    const mode = lessonModeOf(t);
    expect(mode.store.where).toBe(progressFile());
    mode.style = PLAIN;
    const list = ok(t, "lessons");
    expect(list).toMatch(new RegExp(`1\\. section 3 of ${lesson1.sections.length} · 2/\\d+ +Follow the article's curl`));
    expect(list).toContain("lesson 1 goes on where you left off");
    const back = ok(t, "lesson 1");
    expect(back).toContain(`3. ${lesson1.sections[2]!.title}`);
    expect(back).toContain("the commands of sections 1–2 were run again");
    // the replayed send is the packet the section's question is about
    expect(ok(t, "answer vxlan.calico")).toMatch(/^✓ Right: vxlan\.calico/);
    expect(ok(t, "lesson 1 1")).toContain(`1. ${lesson1.sections[0]!.title}`);
  });

  it("the end of a lesson is recorded and the list shows it done", () => {
    const s = session();
    ok(s, `lesson 1 ${lesson1.sections.length}`);
    const end = ok(s, "lesson next");
    expect(end).toContain(`End of ${lesson1.title}`);
    expect(end).toContain("Next: lesson 2 — A NodePort, from the LAN");
    expect(ok(s, "lessons")).toMatch(/1\. ✓ done · \d+\/\d+ +Follow the article's curl/);
  });

  it("a corrupt progress file: a warning, a fresh start, the bad file kept aside", () => {
    fs.mkdirSync(join(dir, "ktrace"), { recursive: true });
    writeFileSync(progressFile(), '{"version": 1, "lessons": {"01-follow-the-curl": {"section": "x"');
    const s = session();
    const r = runLine(s, "lessons");
    expect(r.error).toBeUndefined();
    expect(r.note).toMatch(/^warning: lesson progress .*progress\.json is unreadable \(not JSON: .*\); starting fresh — the old file is kept as .*progress\.json\.corrupt/);
    expect(r.text).toMatch(/1\. not started +Follow the article's curl/);
    expect(existsSync(progressFile() + ".corrupt")).toBe(true);
    // the warning is said once; progress is written anew
    ok(s, "lesson 1");
    expect(runLine(s, "lessons").note).toBeUndefined();
    expect((JSON.parse(readFileSync(progressFile(), "utf8")) as Progress).current).toBe("01-follow-the-curl");
  });

  it("a progress file of the wrong shape is corrupt too", () => {
    fs.mkdirSync(join(dir, "ktrace"), { recursive: true });
    writeFileSync(progressFile(), JSON.stringify({ version: 1, lessons: { "01-follow-the-curl": { section: 0, passed: [] } } }));
    const { progress, warning } = new FileProgressStore(progressFile()).load();
    expect(warning).toContain("bad section 0");
    expect(progress.lessons).toEqual({});
  });

  it("the write is atomic: a failed rename leaves the old progress whole and no temp file", () => {
    const path = progressFile();
    new FileProgressStore(path).save({ version: 1, current: "01-follow-the-curl", lessons: { "01-follow-the-curl": { section: 2, passed: [1] } } });
    const before = readFileSync(path, "utf8");
    const crashing = { ...fs, renameSync: () => { throw new Error("EIO: simulated crash"); } } as typeof fs;
    const store = new FileProgressStore(path, crashing);
    expect(() => store.save({ version: 1, lessons: {} })).toThrow("simulated crash");
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(readdirSync(join(dir, "ktrace"))).toEqual(["progress.json"]);
    // a lesson whose progress cannot be saved goes on, and says so
    const s = articleSession(1);
    s.lessons = new LessonMode(store, PLAIN);
    const r = runLine(s, "lesson 1");
    expect(r.error).toBeUndefined();
    expect(r.note).toContain("could not save lesson progress");
    expect(r.text).toContain("Lesson 1 —");
  });

  it("XDG: $XDG_STATE_HOME when absolute, else ~/.local/state", () => {
    expect(defaultProgressPath({ XDG_STATE_HOME: "/x/state" }, "/home/l")).toBe("/x/state/ktrace/progress.json");
    expect(defaultProgressPath({ XDG_STATE_HOME: "relative" }, "/home/l")).toBe("/home/l/.local/state/ktrace/progress.json");
    expect(defaultProgressPath({}, "/home/l")).toBe("/home/l/.local/state/ktrace/progress.json");
  });

  it("a packet runs to its fate during a lesson (as the lesson prints it); lesson quit brings stepping back", () => {
    const s = session();
    s.stepByStep = true;
    const open = ok(s, "lesson 1");
    expect(open).toContain("a packet runs to its fate at once");
    expect(s.stepByStep).toBe(false);
    expect(ok(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898")).toContain("FATE: sent out vxlan.calico");
    expect(ok(s, "lesson quit")).toContain("left Lesson 1");
    expect(s.stepByStep).toBe(true);
    expect(s.question).toBeUndefined();
    expect(runLine(s, "lesson next").error).toBe("no lesson is open");
  });

  it("bad arguments are one-line errors with the column", () => {
    const s = session();
    const r = runLine(s, "lesson 99");
    expect(r.error).toBe("column 8: no lesson 99");
    expect(r.hint).toMatch(/^lessons are 1–\d+/);
    expect(runLine(s, "lesson sideways").error).toBe('column 8: "sideways" is not a lesson number or next/prev/again/quit');
    expect(runLine(s, "lesson 1 99").error).toMatch(/lesson 1 has sections 1–\d+/);
    expect(runLine(s, "lessons 3").error).toBe('column 9: lessons takes no arguments: "3" is one too many');
  });

  it("completes lesson numbers and next/prev", () => {
    const s = session();
    const all = completeLine(s, "lesson ");
    expect(all).toContain("1");
    expect(all).toContain("2");
    expect(all).toContain("next");
    expect(all).toContain("prev");
    expect(completeLine(s, "lesson ne")).toEqual(["next"]);
    expect(completeLine(s, "less")).toEqual(["lesson", "lessons"]);
    expect(completeLine(s, "ans")).toEqual(["answer"]);
  });

  it("NO_COLOR or no TTY: plain text; a colour terminal: ANSI", () => {
    expect(terminalStyle({ isTTY: true, columns: 120 }, {}).color).toBe(true);
    expect(terminalStyle({ isTTY: true }, { NO_COLOR: "1" }).color).toBe(false);
    expect(terminalStyle({ isTTY: true }, { NO_COLOR: "" }).color).toBe(false);
    expect(terminalStyle({ isTTY: false }, {}).color).toBe(false);
    expect(terminalStyle({ isTTY: true }, { TERM: "dumb" }).color).toBe(false);
    expect(terminalStyle({ isTTY: true, columns: 60 }, {}).width).toBe(58);

    const md = "Some **bold** and `code`, a table:\n\n| hook | table |\n|---|---|\n| OUTPUT | raw |\n";
    const plain = renderMarkdown(md, PLAIN);
    expect(plain).not.toContain(ESC);
    expect(plain).toContain("Some bold and code, a table:");
    expect(plain).toMatch(/│ OUTPUT │ raw/);

    const s = articleSession(1);
    s.lessons = new LessonMode(new MemoryProgressStore(), terminalStyle({ isTTY: true }, { NO_COLOR: "1" }));
    expect(ok(s, "lesson 1")).not.toContain(ESC);
    const c = articleSession(1);
    c.lessons = new LessonMode(new MemoryProgressStore(), { color: true, width: 80 });
    const coloured = ok(c, "lesson 1");
    expect(coloured).toContain(ESC);
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, "")).toContain("type:  route get 10.43.156.98");
    // every line closes what it opens, so the REPL can draw lines one by one
    expect(balanceAnsiLines("a \u001b[1mbold\nstill\u001b[22m plain\n\u001b[33myellow\u001b[39m")).toBe("a \u001b[1mbold\u001b[0m\n\u001b[1mstill\u001b[22m plain\n\u001b[33myellow\u001b[39m");
    expect(balanceAnsiLines("\u001b[1;33mx\ny\u001b[0m")).toBe("\u001b[1;33mx\u001b[0m\n\u001b[1;33my\u001b[0m");
  });
});
