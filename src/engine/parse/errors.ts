/**
 * The two kinds of error a user can cause, and nothing else.
 *
 * Why: every front end (REPL, -e, notebooks, lessons) shows input errors the same way — one line
 * that names file, line, column and the offending token — so the error carries all four and
 * formats itself. Broken internal invariants are plain `Error`s and never reach a user as input
 * errors.
 */
export class ParseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly token: string,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
    this.name = "ParseError";
  }
}

/** A well-formed rule that the kernel would refuse (load-time checks). */
export class RuleError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
    this.name = "RuleError";
  }
}

export function isUserError(e: unknown): e is ParseError | RuleError {
  return e instanceof ParseError || e instanceof RuleError;
}

/** Nearest candidate by edit distance, for "did you mean" hints; undefined when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const limit = Math.max(2, Math.floor(word.length / 3));
  for (const c of candidates) {
    if (c.startsWith(word) && word.length >= 4) return c;
    const d = editDistance(word, c, limit + 1);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= limit ? best : undefined;
}

/** Optimal string alignment distance (edits and adjacent swaps), stopping early past `cap`. */
function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= cap) return cap;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}
