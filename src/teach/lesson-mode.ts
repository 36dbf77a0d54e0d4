/**
 * Lesson mode: which lesson is open, which section the learner is on, which checkpoints they
 * passed — and moving through it (open, next, prev, again, quit) on a live session.
 *
 * Why: a learner follows a lesson in the REPL they explore with. Opening a lesson runs its setup
 * in the session, each section says what to type and the learner types it into the same
 * session, so nothing is simulated twice and any command still works mid-lesson. Progress is
 * saved through a ProgressStore after every move, so the next session resumes where this one
 * stopped (re-running the earlier sections' commands so the session is where it was).
 */
import type { Session } from "../lang/session.js";
import type { Lesson, LessonSection } from "../lessons/parse.js";
import { listLessons, readLesson, shortTitle, type LessonFile } from "../lessons/library.js";
import { lessonHeadMarkdown, renderLessonHead, renderSection, sectionMarkdown, terminalStyle, type RenderStyle } from "../format/markdown.js";
import { wrapWords } from "../format/wrap.js";
import type { Display } from "../lang/command.js";
import { CommandError } from "../lang/words.js";
import { FileProgressStore, defaultProgressPath, type LessonProgress, type Progress, type ProgressStore } from "./progress-store.js";
import { checkpointQuestion } from "./lesson-checkpoint.js";
import type { PendingQuestion } from "./pending.js";

/** How the lesson runs a command in the session (runLine, passed in to keep the import graph flat). */
export type RunLine = (s: Session, line: string) => { text: string; error?: string };

export interface LessonOutput {
  text: string;
  note?: string;
  /** The same as data: a section as Markdown, the list as a table. */
  display?: Display[];
}

interface OpenLesson {
  file: LessonFile;
  lesson: Lesson;
  section: number; // 1-based
}

export class LessonMode {
  open?: OpenLesson;
  private progress?: Progress;
  private pendingWarning?: string;
  private asked?: PendingQuestion;
  /** The session's stepping before the lesson opened: a lesson shows whole walks, as its text does. */
  private stepping?: boolean;

  constructor(
    readonly store: ProgressStore,
    public style: RenderStyle = terminalStyle(),
    private lessons: () => LessonFile[] = () => listLessons(),
  ) {}

  files(): LessonFile[] {
    return this.lessons();
  }

  /** The saved progress, read once; a warning about a corrupt file is handed out once. */
  private state(): Progress {
    if (!this.progress) {
      const { progress, warning } = this.store.load();
      this.progress = progress;
      this.pendingWarning = warning;
    }
    return this.progress;
  }

  private lessonProgress(slug: string): LessonProgress {
    const p = this.state();
    return (p.lessons[slug] ??= { section: 1, passed: [] });
  }

  /** Saves; a failure is said, never fatal: the lesson goes on. */
  private save(): string | undefined {
    try {
      this.store.save(this.state());
      return undefined;
    } catch (e) {
      return `warning: could not save lesson progress to ${this.store.where}: ${(e as Error).message}`;
    }
  }

  private notes(...extra: (string | undefined)[]): string | undefined {
    const w = this.pendingWarning ? `warning: ${this.pendingWarning}` : undefined;
    this.pendingWarning = undefined;
    const all = [w, ...extra].filter((x): x is string => !!x);
    return all.length ? all.join("\n") : undefined;
  }

  private find(n: number): LessonFile {
    const files = this.files();
    const f = files.find((x) => x.number === n);
    if (!f) throw new CommandError(`no lesson ${n}`, undefined, files.length ? `lessons are ${files[0]!.number}–${files[files.length - 1]!.number}; lessons lists them` : "no lessons are installed");
    return f;
  }

  /** `lessons`: every lesson, numbered, with the learner's progress. */
  list(): LessonOutput {
    const files = this.files();
    if (!files.length) return { text: "no lessons found (the lessons/ directory is missing from this installation)" };
    const p = this.state();
    const rows = files.map((f) => {
      let title = f.slug;
      let status = "not started";
      try {
        const l = readLesson(f);
        title = shortTitle(l.title);
        const lp = p.lessons[f.slug];
        const cps = l.sections.filter((x) => x.checkpoint).length;
        if (lp) {
          const passed = lp.passed.length;
          status = lp.finished ? `✓ done${cps ? ` · ${passed}/${cps}` : ""}` : `section ${Math.min(lp.section, l.sections.length)} of ${l.sections.length}${cps ? ` · ${passed}/${cps}` : ""}`;
        }
      } catch (e) {
        status = `cannot be read: ${(e as Error).message}`;
      }
      const mark = this.open?.file.slug === f.slug ? "▸" : p.current === f.slug ? "·" : " ";
      return { mark, n: String(f.number), title, status };
    });
    // the progress first, in a column of its own, and the title last: a title too long for a
    // narrow terminal wraps at its end, and the columns stay straight
    const nw = Math.max(...rows.map((r) => r.n.length));
    const sw = Math.max(...rows.map((r) => r.status.length));
    const lines = rows.map((r) => ` ${r.mark} ${r.n.padStart(nw)}. ${r.status.padEnd(sw)}  ${r.title}`);
    const resume = p.current ? files.find((f) => f.slug === p.current) : undefined;
    const tail = `lesson N opens one${resume ? ` (lesson ${resume.number} goes on where you left off)` : ""}; progress is kept in ${this.store.where}`;
    return {
      text: ["lessons (your progress: the section you are at · checkpoints answered of all):", ...lines, "", tail].join("\n"),
      note: this.notes(),
      display: [{ kind: "table", title: `lessons — ${tail}`, columns: ["", "#", "your progress (checkpoints answered)", "lesson"], rows: rows.map((r) => [r.mark.trim(), r.n, r.status, r.title]) }],
    };
  }

  /** `lesson N [SECTION]`: runs the setup, catches up to the saved section, shows it. */
  openLesson(s: Session, n: number, run: RunLine, at?: number): LessonOutput {
    const file = this.find(n);
    const lesson = readLesson(file);
    if (!lesson.sections.length) throw new CommandError(`lesson ${n} has no sections`);
    this.leave(s);
    this.stepping ??= s.stepByStep;
    s.stepByStep = false;
    for (const c of lesson.setup) {
      const r = run(s, c);
      if (r.error) throw new CommandError(`lesson ${n}'s setup failed at "${c}": ${r.error}`);
    }
    const lp = this.lessonProgress(file.slug);
    let section = at ?? (lp.finished ? 1 : lp.section);
    if (section < 1 || section > lesson.sections.length) {
      if (at !== undefined) throw new CommandError(`lesson ${n} has sections 1–${lesson.sections.length}`);
      section = 1;
    }
    let caughtUp = "";
    if (section > 1) {
      // the session must be where the learner left it: earlier sections' commands run again
      const failed: string[] = [];
      for (const sec of lesson.sections.slice(0, section - 1)) for (const step of sec.steps) for (const c of step.commands) if (run(s, c).error) failed.push(c);
      caughtUp = `(from section ${section}: the commands of sections 1–${section - 1} were run again, so the session is where the lesson left it${failed.length ? `; these failed: ${failed.join("; ")}` : ""}; lesson ${n} 1 starts over)`;
    }
    const again = at === undefined && lp.finished ? `(you finished this lesson before: starting again)` : "";
    if (lp.finished && at === undefined) lp.finished = false;
    this.open = { file, lesson, section };
    this.state().current = file.slug;
    lp.section = section;
    const head = renderLessonHead(lesson.title, lesson.intro, this.style);
    const body = this.showSection(s);
    const whole = this.stepping ? "(while a lesson is open a packet runs to its fate at once, as the lesson shows it; back and where still walk it; lesson quit brings step-by-step back)" : "";
    const said = [again, caughtUp, whole].filter(Boolean);
    const markdown = [lessonHeadMarkdown(lesson.title, lesson.intro), ...said.map((l) => `*${l}*`), body.markdown].join("\n\n");
    return { text: [head, ...said.map((l) => wrapWords(l, this.style.width)), body.text].join("\n\n"), note: this.notes(this.save()), display: [{ kind: "markdown", markdown }] };
  }

  /** `lesson next` / `lesson prev`: one section on or back. */
  move(s: Session, delta: 1 | -1): LessonOutput {
    const o = this.requireOpen();
    const lp = this.lessonProgress(o.file.slug);
    const last = o.lesson.sections.length;
    if (delta > 0 && o.section >= last) {
      lp.finished = true;
      const cps = o.lesson.sections.filter((x) => x.checkpoint).length;
      const next = this.files().find((f) => f.number > o.file.number);
      let nextTitle = "";
      if (next) {
        try {
          nextTitle = ` — ${shortTitle(readLesson(next).title)}`;
        } catch {
          /* listed anyway */
        }
      }
      const text = [
        `✓ End of ${o.lesson.title}${cps ? ` (${lp.passed.length} of ${cps} checkpoints passed)` : ""}.`,
        next ? `Next: lesson ${next.number}${nextTitle}. Or stay and explore: every command still works.` : "That was the last lesson. Every command still works: explore on.",
      ].join("\n");
      return { text, note: this.notes(this.save()) };
    }
    if (delta < 0 && o.section <= 1) return this.sectionOutput(s, this.notes("already at the first section", this.save()));
    o.section += delta;
    lp.section = o.section;
    return this.sectionOutput(s, this.notes(this.save()));
  }

  /** `lesson again` / `lesson`: the current section once more. */
  again(s: Session): LessonOutput {
    this.requireOpen();
    return this.sectionOutput(s, this.notes());
  }

  private sectionOutput(s: Session, note: string | undefined): LessonOutput {
    const { text, markdown } = this.showSection(s);
    return { text, note, display: [{ kind: "markdown", markdown }] };
  }

  /** `lesson quit`: leaves lesson mode; progress stays saved. */
  quit(s: Session): LessonOutput {
    const o = this.requireOpen();
    this.leave(s);
    if (this.stepping !== undefined) s.stepByStep = this.stepping;
    this.stepping = undefined;
    return { text: `left ${o.lesson.title} at section ${o.section}; lesson ${o.file.number} comes back to it`, note: this.notes(this.save()) };
  }

  /** The section on screen, when a lesson is open. */
  currentSection(): LessonSection | undefined {
    return this.open?.lesson.sections[this.open.section - 1];
  }

  private requireOpen(): OpenLesson {
    if (!this.open) throw new CommandError("no lesson is open", undefined, "lessons lists them; lesson 1 opens the first");
    return this.open;
  }

  private leave(s: Session) {
    if (this.asked && s.question === this.asked) s.question = undefined;
    this.asked = undefined;
    this.open = undefined;
  }

  /** Renders the current section and puts its checkpoint (if any) on the session. */
  private showSection(s: Session): { text: string; markdown: string } {
    const o = this.requireOpen();
    const sec = o.lesson.sections[o.section - 1]!;
    const lp = this.lessonProgress(o.file.slug);
    if (this.asked && s.question === this.asked) s.question = undefined;
    this.asked = undefined;
    if (sec.checkpoint) {
      const index = sec.index;
      const slug = o.file.slug;
      const cps = o.lesson.sections.filter((x) => x.checkpoint).length;
      this.asked = checkpointQuestion(sec.checkpoint, `lesson ${o.file.number}, section ${index}`, () => {
        const p = this.lessonProgress(slug);
        if (!p.passed.includes(index)) p.passed.push(index);
        p.passed.sort((a, b) => a - b);
        const saved = this.save();
        return [`checkpoint passed (${p.passed.length} of ${cps} in this lesson) — lesson next (PageDown) goes on`, saved].filter(Boolean).join("\n");
      });
      s.question = this.asked;
    }
    const footer = `── lesson next (PageDown) · lesson prev (PageUp) · lesson again · ${sec.checkpoint ? "answer … · hint · " : ""}lesson quit — any command works meanwhile`;
    const opts = { of: o.lesson.sections.length, passed: lp.passed.includes(sec.index) };
    return { text: `${renderSection(sec, this.style, opts)}\n\n${wrapWords(footer, this.style.width)}`, markdown: `${sectionMarkdown(sec, opts)}\n\n*${footer}*` };
  }
}

/** The session's lesson mode, made on first use with the learner's XDG progress file. */
export function lessonModeOf(s: Session): LessonMode {
  s.lessons ??= new LessonMode(new FileProgressStore(defaultProgressPath()));
  return s.lessons;
}

/** Is a lesson open (the REPL maps PageDown/PageUp to lesson next/prev then)? */
export function lessonOpen(s: Session): boolean {
  return s.lessons?.open !== undefined;
}
