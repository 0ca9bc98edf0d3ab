/**
 * The echoes one LiDAR beam receives, and which of them the sensor reports.
 *
 * A beam's candidate echoes are a short list: one per sub-ray that meets a surface
 * (LidarBeam.ts), merged where the receiver cannot tell them apart, plus the fog's soft echo
 * (LidarFog.ts) as one more candidate; other weather (snow flakes, say) adds its own the same
 * way. The sensor then reports one or two of them by its return mode, the way Velodyne and
 * Hesai sensors do (Velodyne VLP-16 user manual 63-9243 Rev. D, §9.3, dual-return packets: "If
 * the strongest return is also the last return, then the second-strongest return is
 * provided"; Velodyne VLS-128 user manual 63-9483 Rev. A, §6.2.3: both returns are recorded
 * only when the two objects are one metre or more apart).
 */

export const RETURN_MODES = ['strongest', 'last', 'first', 'dual'] as const;
export type ReturnMode = (typeof RETURN_MODES)[number];

/** What an echo comes from: a surface the beam met, or the fog along it. */
export const ECHO_SURFACE = 0;
export const ECHO_FOG = 1;

/** A beam's echoes, struct-of-arrays, reused from beam to beam (no allocation per beam). */
export class EchoList {
  count = 0;
  readonly range: Float64Array;
  readonly amplitude: Float64Array;
  readonly classId: Uint8Array;
  readonly instance: Uint32Array;
  readonly kind: Uint8Array;

  constructor(readonly capacity: number) {
    this.range = new Float64Array(capacity);
    this.amplitude = new Float64Array(capacity);
    this.classId = new Uint8Array(capacity);
    this.instance = new Uint32Array(capacity);
    this.kind = new Uint8Array(capacity);
  }

  clear(): void {
    this.count = 0;
  }

  push(range: number, amplitude: number, classId: number, instance: number, kind: number): void {
    const k = this.count++;
    this.range[k] = range;
    this.amplitude[k] = amplitude;
    this.classId[k] = classId;
    this.instance[k] = instance;
    this.kind[k] = kind;
  }

  /** Sorts echoes [from, count) by range, nearest first; equal ranges keep their order. */
  sortByRange(from = 0): void {
    for (let a = from + 1; a < this.count; a++) {
      for (let b = a; b > from && this.range[b - 1] > this.range[b]; b--) this.swap(b - 1, b);
    }
  }

  /**
   * Merges echoes [from, count) that the receiver cannot separate: sorted by range, each echo
   * joins the group begun by the nearest echo less than `resolution` in front of it. A group
   * becomes one echo whose amplitude is the sum, whose range is the amplitude-weighted mean
   * (the first range when all amplitudes are 0), and whose class, instance and kind are those of
   * its largest contributor (the nearest of equals). Echoes before `from` are left alone.
   */
  merge(resolution: number, from = 0): void {
    this.sortByRange(from);
    let out = from;
    for (let a = from; a < this.count; ) {
      let sum = 0, moment = 0, best = a;
      let b = a;
      for (; b < this.count && this.range[b] - this.range[a] < resolution; b++) {
        sum += this.amplitude[b];
        moment += this.amplitude[b] * this.range[b];
        if (this.amplitude[b] > this.amplitude[best]) best = b;
      }
      const range = sum > 0 ? moment / sum : this.range[a];
      this.range[out] = range;
      this.amplitude[out] = sum;
      this.classId[out] = this.classId[best];
      this.instance[out] = this.instance[best];
      this.kind[out] = this.kind[best];
      out++;
      a = b;
    }
    this.count = out;
  }

  private swap(a: number, b: number): void {
    const t = (arr: Float64Array | Uint8Array | Uint32Array) => {
      const x = arr[a];
      arr[a] = arr[b];
      arr[b] = x;
    };
    t(this.range);
    t(this.amplitude);
    t(this.classId);
    t(this.instance);
    t(this.kind);
  }
}

/**
 * Whether echo a beats echo b as the stronger: the larger amplitude; between equals a surface
 * over the fog (the fog must strictly beat a surface, as in LidarFog.ts), then the farther.
 */
function stronger(list: EchoList, a: number, b: number): boolean {
  const x = list.amplitude[a], y = list.amplitude[b];
  if (x !== y) return x > y;
  if (list.kind[a] !== list.kind[b]) return list.kind[a] === ECHO_SURFACE;
  return list.range[a] > list.range[b];
}

/** The strongest echo at or above `floor`, skipping `except`; -1 when there is none. */
function strongest(list: EchoList, floor: number, except = -1): number {
  let best = -1;
  for (let k = 0; k < list.count; k++) {
    if (k === except || list.amplitude[k] < floor) continue;
    if (best < 0 || stronger(list, k, best)) best = k;
  }
  return best;
}

/**
 * The echoes the sensor reports, written to `out` (room for 2); returns how many. Echoes under
 * `floor` are not detected and take no part. strongest: the largest amplitude; first: the
 * nearest; last: the farthest; dual: the strongest, then the last, or, when the last is the
 * strongest, the second strongest (Velodyne's rule); a beam with a single echo reports it once.
 */
export function pickReturns(mode: ReturnMode, list: EchoList, out: Int32Array, floor = -Infinity): number {
  if (mode === 'strongest' || mode === 'dual') {
    const s = strongest(list, floor);
    if (s < 0) return 0;
    out[0] = s;
    if (mode === 'strongest') return 1;
    let last = s;
    for (let k = 0; k < list.count; k++) if (list.amplitude[k] >= floor && list.range[k] > list.range[last]) last = k;
    const second = last !== s ? last : strongest(list, floor, s);
    if (second < 0) return 1;
    out[1] = second;
    return 2;
  }
  let pick = -1;
  for (let k = 0; k < list.count; k++) {
    if (list.amplitude[k] < floor) continue;
    if (pick < 0 || (mode === 'first' ? list.range[k] < list.range[pick] : list.range[k] > list.range[pick])) pick = k;
  }
  if (pick < 0) return 0;
  out[0] = pick;
  return 1;
}
