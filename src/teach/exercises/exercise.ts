/**
 * What every exercise kind shares: the Exercise record, the seeded scene it is walked in, and
 * `check(exercise, answer)`.
 *
 * Why: exercises are pure functions of (kind, seed) → exercise and (exercise, answer) → verdict;
 * the REPL's `exercise`/`answer`, the Jupyter kernel, `ktrace-repl check` and `grade` all call
 * the same two. The right answer and the explanation of a wrong one come from a real walk in a
 * Session (src/teach/questions.ts), never from a value written down beside the question.
 */
import { Session } from "../../lang/session.js";
import { runLine } from "../../lang/commands/index.js";
import type { LoadedSource } from "../../sources/load.js";
import { loadCluster, type Cluster } from "./cluster.js";
import type { Io } from "../../sources/io.js";
import type { Verdict } from "../pending.js";
import type { Asked } from "../questions.js";
import type { Rule } from "../../engine/model/ruleset.js";

export type ExerciseKind = "sep" | "mark" | "out-interface" | "drop" | "pod-source" | "fix" | "invalid";

/** Where the exercise happens: load this, run these commands, then send this packet. */
export interface Scene {
  /** the generated cluster, loaded afresh for every session (iptables commands change a ruleset in place) */
  cluster: Cluster;
  /** the name it is loaded under (exercise-sep-7) */
  name: string;
  /** iptables commands that change the generated rules (a policy chain, a marking rule...). */
  setup: string[];
  /** the `send …` line of the packet the question is about */
  packet: string;
  /** the session's seed: the statistic draws and random ports the walk sees */
  walkSeed: number;
}

export interface Exercise {
  kind: ExerciseKind;
  seed: number;
  /** the exercise as printed: packet, relevant chains, facts, candidates */
  text: string;
  candidates: string[];
  /** the right answer, from the walk */
  expected: string;
  /** the worked answer */
  solution: string;
  scene: Scene;
  asked: Asked;
}

const quietIo: Io = {
  readFile: (p) => {
    throw Object.assign(new Error(`exercises read no files (${p})`), { code: "ENOENT" });
  },
  writeFile: () => undefined,
  exec: () => ({ code: 1, stdout: "", stderr: "exercises run nothing", missing: true }),
  isRoot: () => false,
};

/** The scene's ruleset and node, a new copy each time. */
export function sceneSource(scene: Scene): LoadedSource {
  return loadCluster(scene.cluster, scene.name);
}

/** A session with the scene loaded and set up, before the packet is sent. */
export function sceneSession(scene: Scene, io: Io = quietIo): Session {
  const s = new Session(sceneSource(scene), io, scene.walkSeed);
  for (const line of scene.setup) must(s, line);
  return s;
}

/** Runs a line of an exercise's own making; a failure is a bug in the generator, not the learner's. */
export function must(s: Session, line: string): string {
  const r = runLine(s, line);
  if (r.error) throw new Error(`exercise generator: "${line}" failed: ${r.error}`);
  return r.text;
}

/** `a`, `b)`, `(c)`: a candidate's letter, when there are candidates. */
export function letter(i: number): string {
  return String.fromCharCode(97 + i);
}

function resolve(ex: Exercise, answer: string): string {
  const m = /^\(?([a-z])\)?$/i.exec(answer.trim());
  if (m) {
    const i = m[1]!.toLowerCase().charCodeAt(0) - 97;
    const c = ex.candidates[i];
    if (c !== undefined) return c;
  }
  return answer;
}

/** The verdict on an answer: right or wrong, with the walk's explanation. */
export function check(ex: Exercise, answer: string): Verdict {
  const given = resolve(ex, answer);
  if (!given.trim()) return { right: false, expected: ex.expected, feedback: `no answer given: ${ex.asked.question}` };
  // a letter past the candidates is a slip, not a chain or rule name
  if (ex.candidates.length && given === answer && /^\(?[a-z]\)?$/i.test(answer.trim()))
    return { right: false, expected: ex.expected, feedback: `"${answer.trim()}" is not one of the letters: the candidates are a to ${letter(ex.candidates.length - 1)}.` };
  const right = ex.asked.accepts(given);
  return { right, expected: ex.expected, feedback: ex.asked.explain(given) };
}

/** Candidates as a lettered list. */
export function candidateList(cands: string[], note?: (c: string) => string | undefined): string[] {
  return cands.map((c, i) => {
    const n = note?.(c);
    return `  ${letter(i)}) ${c}${n ? `   (${n})` : ""}`;
  });
}

/** A chain as `iptables -t TABLE -S CHAIN` prints it. */
export function chainLines(s: Session, table: "nat" | "filter" | "mangle" | "raw", chain: string): string[] {
  const c = s.engine.ruleset.tables.get(table)?.chains.get(chain);
  if (!c) return [];
  return [c.builtin ? `-P ${chain} ${c.policy ?? "ACCEPT"}` : `-N ${chain}`, ...c.rules.map((r: Rule) => `-A ${chain}${r.text ? " " + r.text : ""}`)];
}

/** One exercise kind: its name, one line on what it asks, and its generator. */
export interface ExerciseGenerator {
  kind: ExerciseKind;
  summary: string;
  generate(seed: number): Exercise;
}
