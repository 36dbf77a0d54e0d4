/**
 * The first position in an ascending list whose item is not below `x` (the list's length when
 * none is).
 *
 * Why: the dispatch index finds a packet's next candidate rule among sorted rule positions, and
 * completion a typed prefix among sorted chain names; one binary search serves both.
 */
export function lowerBound<T extends number | string>(sorted: readonly T[], x: T): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
