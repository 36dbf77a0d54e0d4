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
}
