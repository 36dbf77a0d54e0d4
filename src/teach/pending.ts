/**
 * The question a learner is being asked right now — a lesson's checkpoint or an exercise — and
 * the verdict on an answer.
 *
 * Why: `answer X` is one command whoever asked; lessons (src/teach/lesson-*) and exercises
 * (src/teach/exercises/) each put a PendingQuestion on the session, and the `answer` command,
 * the Jupyter kernel and `ktrace-repl check` read verdicts of the same shape.
 */
import type { Session } from "../lang/session.js";

export interface Verdict {
  right: boolean;
  /** The answer as ktrace computed it (from the walk, or the lesson's accepted answer). */
  expected: string;
  /** Why: for a wrong answer, what the walk shows instead; for a right one, a line confirming it. */
  feedback: string;
  /** Something said whatever the answer, kept when the feedback is held back (the packet checked is not the lesson's). */
  note?: string;
}

export interface PendingQuestion {
  /** Who asked: "lesson 3, checkpoint 2" or "exercise sep (seed 7)". */
  source: string;
  /** The question as shown to the learner. */
  prompt: string;
  hint?: string;
  check(s: Session, answer: string): Verdict;
  /** Called once the question is answered right (progress, the next section...). */
  onRight?(s: Session): string | undefined;
  /** The question is about the loaded ruleset (an exercise's cluster): loading another ends it. */
  endsOnLoad?: boolean;
}

/**
 * A check that keeps the answer back once: the first wrong answer gets `firstWrong`'s words
 * (what the walk shows would give the answer away), later ones the full verdict. An empty
 * answer is not a try.
 */
export function withOneRetry(check: PendingQuestion["check"], firstWrong: (answer: string) => string): PendingQuestion["check"] {
  let tries = 0;
  return (s, answer) => {
    const v = check(s, answer);
    if (v.right || !answer.trim()) return v;
    return tries++ === 0 ? { ...v, feedback: [firstWrong(answer.trim()), v.note].filter(Boolean).join("\n") } : v;
  };
}
