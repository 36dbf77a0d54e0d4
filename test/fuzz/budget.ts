// How long each fuzzer runs, and with which seed.
//
// Why: CI gives the fuzzers about a minute in all (FUZZ_SECONDS per surface, default 8); a
// longer hunt is `FUZZ_SECONDS=600 npx vitest run test/fuzz`. A failure prints fast-check's seed
// and path; FUZZ_SEED=N replays that seed.
import type { Parameters } from "fast-check";

export const FUZZ_MS = Math.max(1, Number(process.env.FUZZ_SECONDS ?? 8)) * 1000;

export function fuzzParams<T>(): Parameters<T> {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  return {
    numRuns: 1_000_000,
    interruptAfterTimeLimit: FUZZ_MS,
    markInterruptAsFailure: false,
    ...(seed === undefined ? {} : { seed }),
  };
}

/** The vitest timeout for one fuzzer: its budget plus room for setup and the final shrink. */
export const FUZZ_TIMEOUT = FUZZ_MS + 60_000;
