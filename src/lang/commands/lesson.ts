/**
 * The lesson commands: `lessons`, `lesson N|next|prev|again|quit`, `hint` and `answer`.
 *
 * Why: lessons run in the same command language as everything else, so a learner reads a
 * section, types its commands into the same session and answers its checkpoint — in the REPL, a
 * script or a notebook cell alike. `answer` and `hint` reply to whatever question is pending,
 * a lesson's checkpoint or an exercise.
 */
import type { Command } from "../command.js";
import type { Session } from "../session.js";
import { CommandError } from "../words.js";
import { prefixFilter } from "../complete.js";
import { lessonModeOf } from "../../teach/lesson-mode.js";
import { runLine } from "./index.js";

const SUBCOMMANDS = ["next", "prev", "again", "quit"];

export const lessons: Command = {
  name: "lessons",
  maxArgs: 0,
  usage: "lessons",
  summary: "list the lessons, numbered, with your progress",
  examples: ["lessons", "lesson 1"],
  run(s, args) {
    if (args[0]) throw new CommandError(`lessons takes no arguments`, args[0].col, "lesson N opens lesson N");
    return lessonModeOf(s).list();
  },
};

export const lesson: Command = {
  name: "lesson",
  maxArgs: 2,
  usage: "lesson [N [SECTION] | next | prev | again | quit]",
  summary: "open a lesson and move through its sections (PageDown/PageUp in the REPL)",
  details: [
    "lesson N opens lesson N where you left it (lesson N 1 starts over): its setup runs in this",
    "session, then each section shows what to type — type it here, the output is real. A section",
    "may end with a checkpoint question: answer it with answer …, ask for a hint with hint.",
    "Any other command works mid-lesson. Progress is saved in $XDG_STATE_HOME/ktrace/progress.json.",
  ].join("\n"),
  examples: ["lesson 1", "lesson next", "lesson prev", "lesson again", "lesson 2 3", "lesson quit"],
  run(s, args) {
    const mode = lessonModeOf(s);
    const [a, b, extra] = args;
    if (extra) throw new CommandError(`unexpected "${extra.text}"`, extra.col, "lesson N [SECTION]");
    if (!a) {
      if (mode.open) return mode.again(s);
      return mode.list();
    }
    if (/^\d+$/.test(a.text)) {
      let at: number | undefined;
      if (b) {
        if (!/^\d+$/.test(b.text)) throw new CommandError(`section must be a number, got "${b.text}"`, b.col);
        at = Number(b.text);
      }
      try {
        return mode.openLesson(s, Number(a.text), runLine, at);
      } catch (e) {
        if (e instanceof CommandError && e.col === undefined) throw new CommandError(e.message, a.col, e.hint);
        throw e;
      }
    }
    if (b) throw new CommandError(`unexpected "${b.text}"`, b.col, `lesson ${a.text} takes nothing after it`);
    switch (a.text) {
      case "next":
        return mode.move(s, 1);
      case "prev":
        return mode.move(s, -1);
      case "again":
        return mode.again(s);
      case "quit":
        return mode.quit(s);
    }
    throw new CommandError(`"${a.text}" is not a lesson number or next/prev/again/quit`, a.col, "lessons lists the lessons");
  },
  complete(s, args, partial) {
    if (args.length > 0) return [];
    const numbers = lessonModeOf(s).files().map((f) => String(f.number));
    return prefixFilter([...numbers, ...SUBCOMMANDS], partial);
  },
};

export const hint: Command = {
  name: "hint",
  maxArgs: 0,
  usage: "hint",
  summary: "a hint for the pending lesson checkpoint or exercise",
  examples: ["hint"],
  run(s, args) {
    if (args[0]) throw new CommandError("hint takes no arguments", args[0].col);
    const q = s.question;
    if (q) return { text: q.hint ? `Hint (${q.source}): ${q.hint}` : `no hint for this one (${q.source}) — the question: ${q.prompt}` };
    const sec = s.lessons?.currentSection();
    if (sec) return { text: "this section asks no question: type the commands it shows (lesson again shows it), then lesson next" };
    throw new CommandError("no question is pending", undefined, "hints go with a lesson's checkpoint (lessons) or an exercise (exercise)");
  },
};

/** Runs `answer`; exported for front ends that check an answer without the command line. */
export function answerQuestion(s: Session, given: string): { text: string } {
  const q = s.question;
  if (!q) throw new CommandError("no question is pending", undefined, "a lesson's checkpoint (lessons, lesson N) or an exercise (exercise) asks one");
  const v = q.check(s, given);
  if (!v.right) return { text: [`✗ Not right (${q.source}).`, v.feedback].filter(Boolean).join("\n") };
  const after = q.onRight?.(s);
  return { text: [`✓ Right: ${v.expected}.`, v.feedback, after].filter(Boolean).join("\n") };
}

export const answer: Command = {
  name: "answer",
  usage: "answer TEXT...",
  summary: "answer the pending lesson checkpoint or exercise",
  examples: ["answer KUBE-SEP-OYNVDBAPYJ623W6H", "answer vxlan.calico", "answer raw"],
  run(s, args) {
    if (!args.length) {
      const q = s.question;
      throw new CommandError("answer what?", undefined, q ? `the question (${q.source}): ${q.prompt}` : "no question is pending either");
    }
    return answerQuestion(s, args.map((w) => w.text).join(" "));
  },
};
