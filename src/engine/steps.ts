/**
 * Long work as a generator of progress reports: run it to its end when nobody watches.
 *
 * Why: parsing a 400,000-line ruleset, loading a source and `stats` report progress by yielding;
 * scripts, tests and notebooks that need no progress bar call this one helper.
 */
export function runToEnd<T>(steps: Generator<unknown, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
