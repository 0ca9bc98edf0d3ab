/**
 * Index of the last item whose key is at or before `s` in items sorted by key (the piece of
 * a piecewise function that applies at s), or 0 when s comes before them all.
 */
export function lastAtOrBefore<T>(items: readonly T[], s: number, key: (item: T) => number): number {
  let lo = 0;
  let hi = items.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (key(items[mid]) <= s) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
