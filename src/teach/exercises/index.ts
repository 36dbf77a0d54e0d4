/**
 * The exercise kinds, by name, and the two functions every front end calls.
 *
 * Why: the REPL's `exercise`, the Jupyter kernel, `ktrace-repl exercise|check|grade` read the
 * same table: `generateExercise(kind, seed)` and `check(exercise, answer)`.
 */
import type { Exercise, ExerciseGenerator, ExerciseKind } from "./exercise.js";
import { sepExercise } from "./sep.js";
import { markExercise } from "./mark.js";
import { outInterfaceExercise } from "./out-interface.js";
import { podSourceExercise } from "./pod-source.js";
import { dropExercise } from "./drop.js";
import { fixExercise } from "./fix.js";
import { invalidExercise } from "./invalid.js";

export { check, type Exercise, type ExerciseKind } from "./exercise.js";

export const EXERCISES: ExerciseGenerator[] = [sepExercise, markExercise, outInterfaceExercise, podSourceExercise, dropExercise, fixExercise, invalidExercise];

export const EXERCISE_KINDS: string[] = EXERCISES.map((e) => e.kind);

export function findExercise(kind: string): ExerciseGenerator | undefined {
  return EXERCISES.find((e) => e.kind === kind);
}

export class ExerciseError extends Error {}

/** The largest seed: seeds are 32-bit, as the engine's generator takes them. */
export const MAX_SEED = 0xffffffff;

export function parseSeed(text: string): number | undefined {
  return /^\d{1,10}$/.test(text.trim()) && Number(text) <= MAX_SEED ? Number(text) : undefined;
}

export function generateExercise(kind: string, seed: number): Exercise {
  const g = findExercise(kind);
  if (!g) throw new ExerciseError(`no exercise kind "${kind}" (kinds: ${EXERCISE_KINDS.join(", ")})`);
  return g.generate(seed);
}

export function kindList(): string[] {
  const w = Math.max(...EXERCISES.map((e) => e.kind.length));
  return EXERCISES.map((e) => `  ${e.kind.padEnd(w)}  ${e.summary}`);
}

export type { ExerciseGenerator, ExerciseKind as Kind };
