/**
 * `exercise KIND [seed N]` and `solution`: the exercises in the REPL, scripts and the kernel.
 *
 * Why: a learner gets the same exercise a teacher hands out with `ktrace-repl exercise KIND
 * --seed N`, with its cluster loaded into the session so `show chain`, `send` and `step` can be
 * used to explore, and `answer X` checks it (the exercise is the session's pending question).
 */
import type { Command } from "../command.js";
import type { Session } from "../session.js";
import { CommandError } from "../words.js";
import { prefixFilter } from "../complete.js";
import { didYouMean } from "../../engine/parse/errors.js";
import { check, EXERCISE_KINDS, generateExercise, kindList, parseSeed, type Exercise } from "../../teach/exercises/index.js";
import { runLine } from "./index.js";
import { sceneSource } from "../../teach/exercises/exercise.js";
import { withOneRetry, type PendingQuestion } from "../../teach/pending.js";

/** The exercise each session is doing (for `solution`). */
const current = new WeakMap<Session, Exercise>();

export const exercise: Command = {
  name: "exercise",
  maxArgs: 3,
  usage: "exercise [KIND [seed N]]",
  summary: "a seeded exercise on a generated cluster (which KUBE-SEP chain, which mark...); answer it with `answer`",
  examples: ["exercise", "exercise sep", "exercise sep seed 7", "answer b", "solution"],
  details: "Without KIND: the list of kinds. The exercise's cluster replaces the loaded ruleset, so show chain, send and step explore it (sending the packet shows the answer). The same KIND and seed give the same exercise everywhere: ktrace-repl exercise KIND --seed N prints it, ktrace-repl check KIND --seed N --answer X checks it.",
  run(s, args) {
    const kindWord = args[0];
    if (!kindWord) return { text: ["exercise kinds:", ...kindList(), "", "exercise KIND [seed N] starts one."].join("\n") };
    if (!EXERCISE_KINDS.includes(kindWord.text)) {
      const hint = didYouMean(kindWord.text, EXERCISE_KINDS);
      throw new CommandError(`no exercise kind "${kindWord.text}"`, kindWord.col, hint ? `did you mean ${hint}?` : `kinds: ${EXERCISE_KINDS.join(", ")}`);
    }
    let seed: number;
    const [kw, value, extra] = args.slice(1);
    if (kw) {
      // "--seed", as the command line spells it, is taken too
      if (kw.text !== "seed" && kw.text !== "--seed") throw new CommandError(`expected "seed N" after the kind, got "${kw.text}"`, kw.col, "exercise sep seed 7");
      if (!value) throw new CommandError("seed needs a number", kw.col + kw.text.length + 1, "exercise sep seed 7");
      const n = parseSeed(value.text);
      if (n === undefined) throw new CommandError(`bad seed "${value.text}": expected a whole number from 0 to 4294967295`, value.col);
      if (extra) throw new CommandError(`unexpected "${extra.text}"`, extra.col);
      seed = n;
    } else {
      // a new exercise each time in a session, the same ones in the same script
      seed = (s.seed * 1009 + s.commandHistory.length * 7919) % 100000;
    }
    const ex = generateExercise(kindWord.text, seed);
    s.load(sceneSource(ex.scene));
    s.setSeed(ex.scene.walkSeed);
    const typed = s.commandHistory.length;
    for (const line of ex.scene.setup) {
      const r = runLine(s, line);
      if (r.error) throw new Error(`exercise ${ex.kind} seed ${seed}: "${line}" failed: ${r.error}`);
    }
    s.commandHistory.length = typed; // the exercise's own iptables commands are not the learner's history
    current.set(s, ex);
    s.question = {
      source: `exercise ${ex.kind} (seed ${seed})`,
      prompt: ex.asked.question,
      hint: `the packet is walked by: ${ex.scene.packet}`,
      check: retryingCheck(ex),
      // answered, it is done (a loaded ruleset other than the exercise's ends it too: Session.load)
      onRight: (s) => {
        s.question = undefined;
        return undefined;
      },
      endsOnLoad: true,
    };
    return {
      text: [
        ex.text,
        "",
        `The cluster is loaded: show chain, iptables -t nat -S, route … explore it; \`${ex.scene.packet}\` walks the packet (and shows the answer).`,
        "answer X checks your answer; solution shows the worked answer.",
      ].join("\n"),
    };
  },
  complete(_s, args, partial) {
    if (args.length === 0) return prefixFilter(EXERCISE_KINDS, partial);
    if (args.length === 1) return prefixFilter(["seed"], partial);
    return [];
  },
};

/**
 * The check a learner gets in a session, as a lesson's checkpoint behaves: a first wrong answer
 * only says so, the second shows the worked answer; a right one is confirmed once ("✓ Right: X"
 * says it). `ktrace-repl check`, a teacher's grading, tells all at once.
 */
function retryingCheck(ex: Exercise): PendingQuestion["check"] {
  return withOneRetry(
    (_s, answer) => {
      const v = check(ex, answer);
      return v.right ? { ...v, feedback: "" } : v;
    },
    (answer) => `"${answer}" is not it. Look again — the exercise above, and the loaded rules (show chain, iptables -S) — then answer again; a second wrong answer, or solution, shows the worked answer.`,
  );
}

export const solution: Command = {
  name: "solution",
  maxArgs: 0,
  usage: "solution",
  summary: "the worked answer of the current exercise",
  examples: ["exercise sep seed 7", "solution"],
  run(s, args) {
    if (args[0]) throw new CommandError(`solution takes no arguments, got "${args[0].text}"`, args[0].col);
    const ex = current.get(s);
    if (!ex) throw new CommandError("no exercise yet", undefined, "start one: exercise sep");
    return { text: ex.solution };
  },
};
