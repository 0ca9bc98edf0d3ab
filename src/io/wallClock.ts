/**
 * The wall clock for live streams (`wall_ns`), in io/ only: the simulation never reads it.
 *
 * Date.now() follows the system clock (what a consumer compares against: Python's
 * time.time_ns(), Date.now() in a browser) but has whole milliseconds only; performance.now()
 * has microseconds but drifts from the system clock when that is adjusted. This reads the
 * fine clock and re-anchors it to the system clock whenever the two part by a millisecond.
 */
let offsetMs = Date.now() - performance.now();

/** Now, as integer nanoseconds since the Unix epoch (microsecond resolution). */
export function wallClockNs(): bigint {
  const fine = performance.now();
  const coarse = Date.now();
  // coarse is the fine time truncated to the millisecond, give or take a read's duration.
  if (Math.abs(offsetMs + fine - coarse - 0.5) > 1.5) offsetMs = coarse + 0.5 - fine;
  return BigInt(Math.round((offsetMs + fine) * 1000)) * 1000n;
}
