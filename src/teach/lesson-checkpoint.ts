/**
 * A lesson's checkpoint as the question `answer` replies to.
 *
 * Why: a checkpoint either asks about the walk (`ask: sep`) — then the right answer is what
 * src/teach/questions.ts computes from the learner's last packet, never text typed into the
 * lesson, and a wrong answer is explained from that walk — or asks a conceptual question
 * (`accept: raw | raw table`) with the lesson's own explanation (`why:`). Either way the
 * learner's answer gets a Verdict of the shape exercises use.
 */
import type { Session } from "../lang/session.js";
import type { Checkpoint } from "../lessons/parse.js";
import { withOneRetry, type PendingQuestion, type Verdict } from "./pending.js";
import { ask, isQuestionKind } from "./questions.js";
import { CommandError } from "../lang/words.js";

/** Lower case, single spaces, no quotes or full stop around it: "The raw table." = "the raw table". */
export const normalizeAnswer = (a: string) =>
  a
    .trim()
    .replace(/^["'`]+|["'`.!]+$/g, "")
    .replace(/\s+/g, " ")
    .toLowerCase();

/** The verdict on an answer to a checkpoint, the answer and why included (checkpointQuestion holds them back once). */
export function checkCheckpoint(cp: Checkpoint, s: Session, answer: string): Verdict {
  if (cp.ask !== undefined) return checkAsked(cp, cp.ask, s, answer);
  const accepted = cp.accept ?? [];
  const right = accepted.some((a) => normalizeAnswer(a) === normalizeAnswer(answer));
  const expected = accepted[0] ?? "";
  if (right) return { right, expected, feedback: cp.why ?? "" };
  return { right, expected, feedback: `"${answer}" is not it either. The answer: ${accepted.join(" (or ")}${accepted.length > 1 ? ")" : ""}. ${cp.why ?? ""}`.trim() };
}

function checkAsked(cp: Checkpoint, kind: string, s: Session, answer: string): Verdict {
  if (!isQuestionKind(kind)) throw new CommandError(`this checkpoint asks "${kind}", a question kind ktrace does not know`);
  let asked;
  try {
    asked = ask(kind, s);
  } catch (e) {
    // the walk cannot answer (no packet yet, or another packet): point back at the lesson
    if (e instanceof CommandError) throw new CommandError(e.message, undefined, "the question is about the lesson's packet: type the section's commands first (lesson again shows them)");
    throw e;
  }
  const right = asked.accepts(answer);
  // right: the lesson's own why, if it has one (the "✓ Right: X" line already confirms it);
  // wrong: what the walk shows instead
  const feedback = right ? (cp.why ?? "") : asked.explain(answer);
  if (cp.expect !== undefined && !asked.accepts(cp.expect)) {
    const last = s.sent[s.sent.length - 1];
    const note = `(Checked against your last packet${last ? `, ${last.label}` : ""}: that is not the lesson's packet, which gives ${cp.expect}. Type the section's commands again — lesson again shows them — to follow the lesson.)`;
    return { right, expected: asked.expected, feedback: `${feedback}\n${note}`, note };
  }
  return { right, expected: asked.expected, feedback };
}

/** The PendingQuestion for a checkpoint; `onRight` records the progress. */
export function checkpointQuestion(cp: Checkpoint, source: string, onRight: (s: Session) => string | undefined): PendingQuestion {
  return {
    source,
    prompt: cp.question,
    hint: cp.hint,
    // a wrong first try gets the hint; the answer itself only after a second wrong try
    check: withOneRetry(
      (s, answer) => checkCheckpoint(cp, s, answer),
      (answer) => `"${answer}" is not what this checkpoint looks for.${cp.hint ? ` Hint: ${cp.hint}` : ""} Answer again when you have it.`,
    ),
    onRight,
  };
}
