/**
 * Image sensor noise by the EMVA 1288 linear camera model (EMVA Standard 1288, release 4.0,
 * "Standard for Characterization of Image Sensors and Cameras", section 2).
 *
 * Per pixel and colour channel (each channel treated as its own pixel of the Bayer mosaic):
 *   photons      μ_p = A · E · t / (h c / λ)   (A pixel area, E irradiance in W/m², λ = 550 nm;
 *                E = E_v / 683 lm/W from the sensor-plane illuminance E_v = (π/4) L / N²)
 *   electrons    μ_e = η · μ_p · (1 + PRNU · g_pixel)        (η quantum efficiency)
 *   temporal     shot noise Poisson(μ_e), exactly below 20 e⁻ (by tables, see poisson), as a Gaussian of variance μ_e
 *                above (where the two differ by less than a DN matters); dark (read) noise
 *                Gaussian σ_d e⁻; the full well clips the noisy count (a pixel whose mean is
 *                far over it is full in every frame); a fixed dark offset DSNU · g'_pixel e⁻
 *   digital      y = black + K · e, rounded (quantisation, variance 1/12 DN²), clipped to bits
 * so the photon transfer curve is σ_y² = K (μ_y − μ_y.dark) + K² σ_d² + 1/12.
 *
 * Randomness: a counter-based hash of (seed, frame, value index), so a frame's noise does not
 * depend on the order or the thread that computes it and no generator state is kept; the
 * fixed patterns (PRNU, DSNU) hash (seed, value index) without the frame, so they are the same
 * in every frame. Gaussians come from a table of the normal quantile function (16 bits of the
 * hash pick an entry): one table read instead of a log, a sqrt and a cosine per value.
 */
import { normalQuantile } from '../FastMath.js';
import { SATURATION_TO_CURVE, exposurePerRadiance, ISO_SATURATION, type ExposureSettings } from './Exposure.js';
import { toneCode } from './ToneMapping.js';

export interface NoiseConfig {
  quantumEfficiency: number;
  darkNoiseE: number;
  fullWellE: number;
  /** System gain K at the sensor's base ISO (DN/e⁻); undefined: the full well fills the DN range. */
  gainDnPerE: number | undefined;
  bits: number;
  blackLevelDn: number;
  /** Photo-response non-uniformity: standard deviation of the pixel gains, a fraction. */
  prnu: number;
  /** Dark signal non-uniformity: standard deviation of the pixel offsets (e⁻). */
  dsnuE: number;
  pixelSizeUm: number;
  seed: number;
}

/**
 * Defaults: Sony IMX265 (3.45 µm Pregius global shutter, a common automotive/industrial
 * sensor) as reported to EMVA 1288 in camera makers' data (FLIR Blackfly S BFS-U3-31S4):
 * QE ≈ 65 %, temporal dark noise ≈ 2.2 e⁻, saturation ≈ 10 500 e⁻, 12-bit output;
 * PRNU 0.5 % and DSNU 1 e⁻ are typical of such reports.
 */
export const NOISE_DEFAULTS = {
  quantumEfficiency: 0.65, darkNoiseE: 2.2, fullWellE: 10500, bits: 12, blackLevelDn: 64, prnu: 0.005, dsnuE: 1, pixelSizeUm: 3.45,
} as const;

const PLANCK = 6.62607015e-34, LIGHT = 299792458, WAVELENGTH = 550e-9, LUMENS_PER_WATT = 683;
/** Below this many electrons shot noise is drawn as Poisson, above as a Gaussian. */
const POISSON_BELOW = 20;

/** Electrons per sensor-plane exposure (e⁻ per lux·s) of one pixel, before PRNU. */
export function electronsPerLuxSecond(c: NoiseConfig): number {
  const area = (c.pixelSizeUm * 1e-6) ** 2;
  return (c.quantumEfficiency * area) / LUMENS_PER_WATT / ((PLANCK * LIGHT) / WAVELENGTH);
}

/** The sensor's base gain K (DN/e⁻) and its base ISO: the speed at which that gain saturates the output. */
export function sensorBase(c: NoiseConfig): { gain: number; iso: number; saturationE: number } {
  const range = 2 ** c.bits - 1 - c.blackLevelDn;
  const gain = c.gainDnPerE ?? range / c.fullWellE;
  const saturationE = Math.min(c.fullWellE, range / gain);
  // H_sat = 78 / S gives saturationE electrons.
  return { gain, iso: (ISO_SATURATION * electronsPerLuxSecond(c)) / saturationE, saturationE };
}

/** lowbias32 (C. Wellons' hash prospector): a bijective 32-bit mix with good avalanche. */
export function mix32(x: number): number {
  x ^= x >>> 16; x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15; x = Math.imul(x, 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Standard normal quantiles at the 65 536 bin centres, rescaled to unit variance (the table's own, not the continuous one). */
const GAUSS: Float32Array = (() => {
  const t = new Float64Array(65536);
  let s2 = 0;
  for (let i = 0; i < t.length; i++) { t[i] = normalQuantile((i + 0.5) / t.length); s2 += t[i] * t[i]; }
  const k = 1 / Math.sqrt(s2 / t.length);
  return Float32Array.from(t, (v) => v * k);
})();

/** Beyond the table's largest entry (4.32 standard deviations), in standard deviations. */
const GAUSS_REACH = 4.5;

/** A per-camera seed from its name (FNV-1a), so two cameras of a rig get different noise. */
export function seedOfName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class SensorNoise {
  /** System gain at the chosen ISO (DN/e⁻): the base gain times ISO / base ISO (analogue gain). */
  readonly gain: number;
  readonly baseIso: number;
  /** Mean electrons per scene value (kcd/m²) for this shutter and f-number. */
  readonly electronsPerRadiance: number;
  readonly maxDn: number;
  /** The last frame's digital values (DN), 3 per pixel: the raw image before the tone curve. */
  readonly raw: Uint16Array;
  /**
   * The sRGB code of each digital value: its signal (DN above black, a fraction of the range)
   * through the tone curve. A value's code depends on its DN alone, so the tone curve is one
   * table read in the digitising pass rather than a pass of its own over a signal image.
   */
  private readonly codes: Uint8Array;

  constructor(readonly config: NoiseConfig, exposure: ExposureSettings, values: number) {
    const base = sensorBase(config);
    this.baseIso = base.iso;
    this.gain = (base.gain * exposure.iso) / base.iso;
    this.electronsPerRadiance = electronsPerLuxSecond(config) * exposurePerRadiance(exposure);
    this.maxDn = 2 ** config.bits - 1;
    this.raw = new Uint16Array(values);
    const black = config.blackLevelDn, inv = 1 / (this.maxDn - black);
    // The signal as a Float32 image held it, so the codes are those of the two passes this replaced.
    this.codes = Uint8Array.from({ length: this.maxDn + 1 }, (_, dn) => toneCode(Math.min(Math.fround((dn - black) * inv), 1) * SATURATION_TO_CURVE));
  }

  /**
   * Digital values of frame `frame` for mean electrons `electrons` (before PRNU), written to
   * `out` (DN). Deterministic in (seed, frame, index).
   */
  digitise(electrons: Float32Array, frame: number, out: Uint16Array): void {
    this.run(electrons, 1, frame, out, undefined);
  }

  /**
   * A frame of scene values (kcd/m², 3 per pixel) to RGB8 `rgb`: expose, digitise (into
   * `raw`), then the signal (fraction of saturation above black) through the tone curve.
   */
  apply(linear: Float32Array, frame: number, rgb: Uint8Array, k0 = 0, k1 = linear.length, raw = this.raw): void {
    this.run(linear, this.electronsPerRadiance, frame, raw, rgb, k0, k1);
  }

  /**
   * One pass over the values (exposure, noise, digitisation and the tone curve together, so
   * each value is loaded once). Two hashes per value: f = mix(index, seed) is the pixel's own
   * fixed randomness (its high 16 bits the PRNU gain, its low 16 the DSNU offset), and
   * mix(f + frame key) its temporal noise in this frame. Values [k0, k1) only: a value's noise
   * is hashed from its own index, so a camera's tiles digitise their own rows, the same bytes.
   * Shot noise is drawn as a Gaussian here; the values too dim for that (rare by day) are
   * drawn again as Poisson in a second pass, since a branch for them in this loop made the
   * compiled loop half as fast again.
   */
  private run(values: Float32Array, scale: number, frame: number, out: Uint16Array, rgb: Uint8Array | undefined, k0 = 0, k1 = values.length): void {
    const { darkNoiseE: sd, fullWellE: full, prnu, seed, dsnuE, blackLevelDn: black } = this.config;
    const K = this.gain, max = this.maxDn, codes = this.codes;
    const sd2 = sd * sd, saturated = full + GAUSS_REACH * Math.sqrt(full + sd2);
    const seedKey = mix32(seed ^ 0x5bd1e995);
    const frameKey = mix32(mix32(seed) + Math.imul(frame + 1, 0x9e3779b1));
    let lowest = Infinity;
    for (let k = k0; k < k1; k++) {
      const f = mix32((k ^ seedKey) >>> 0);
      let mean = values[k] * scale;
      if (prnu > 0) mean *= 1 + prnu * GAUSS[f >>> 16];
      lowest = Math.min(lowest, mean);
      let e: number;
      if (mean >= saturated) {
        // The well fills whatever the noise: the sample exceeds it by more than the Gaussian table reaches.
        e = full;
      } else {
        // Shot and dark noise together: independent Gaussians add in variance.
        e = mean + Math.sqrt(mean + sd2) * GAUSS[mix32((f + frameKey) >>> 0) >>> 16];
        if (e > full) e = full;
      }
      // `store`, written out: the call costs this loop ~15 % (measured).
      if (dsnuE > 0) e += dsnuE * GAUSS[f & 0xffff];
      const y = black + K * e + 0.5;
      const dn = y < 0 ? 0 : y > max ? max : y | 0;
      out[k] = dn;
      if (rgb) rgb[k] = codes[dn];
    }
    if (!(lowest >= POISSON_BELOW)) {
      for (let k = k0; k < k1; k++) {
        const f = mix32((k ^ seedKey) >>> 0);
        let mean = values[k] * scale;
        if (prnu > 0) mean *= 1 + prnu * GAUSS[f >>> 16];
        if (!(mean < POISSON_BELOW)) continue;
        const h = mix32((f + frameKey) >>> 0);
        this.store(k, poisson(mean, h & 0xffff, mix32((h + 0x632be5ab) >>> 0) & 0xffff) + sd * GAUSS[h >>> 16], f, out, rgb);
      }
    }
  }

  /** Electrons `e` of value k with its fixed dark offset, digitised into `out` and through the tone curve into `rgb`. */
  private store(k: number, e: number, f: number, out: Uint16Array, rgb: Uint8Array | undefined): void {
    const { dsnuE, blackLevelDn: black } = this.config;
    if (dsnuE > 0) e += dsnuE * GAUSS[f & 0xffff];
    const y = black + this.gain * e + 0.5, max = this.maxDn;
    const dn = y < 0 ? 0 : y > max ? max : y | 0;
    out[k] = dn;
    if (rgb) rgb[k] = this.codes[dn];
  }
}

/**
 * Exact Poisson samples for means below POISSON_BELOW without a logarithm or exponential per
 * value. A Poisson of mean μ is the sum of independent Poissons of means μ_j = j / GRID (the
 * grid node below μ) and δ = μ − μ_j < 1 / GRID. The first is drawn by inverting its
 * distribution from a table of CDFs with a guide table (the smallest count at each 1/256 of
 * probability, so the walk is a step or two); the second, of mean under 1/16, is 0 with
 * probability e^−δ (a Taylor polynomial, exact to 1e-8 there) and rarely more.
 */
const GRID = 16;
const NODES = POISSON_BELOW * GRID;
/** Counts kept per node: P(n ≥ 64) for a mean below 20 is under 1e-12. */
const SUPPORT = 64;
const GUIDE_BINS = 256;
const POISSON_CDF = new Float64Array(NODES * SUPPORT);
const POISSON_GUIDE = new Uint8Array(NODES * GUIDE_BINS);
for (let j = 0; j < NODES; j++) {
  const mean = j / GRID, row = j * SUPPORT;
  let p = Math.exp(-mean), cdf = p;
  for (let n = 0; n < SUPPORT; n++) {
    POISSON_CDF[row + n] = n === SUPPORT - 1 ? 1 : cdf;
    p *= mean / (n + 1);
    cdf += p;
  }
  for (let k = 0, n = 0; k < GUIDE_BINS; k++) {
    while (POISSON_CDF[row + n] < k / GUIDE_BINS) n++;
    POISSON_GUIDE[j * GUIDE_BINS + k] = n;
  }
}

/** A Poisson sample of mean `mean` (0 ≤ mean < POISSON_BELOW) from two 16-bit uniforms' words `u16` and `v16`. */
function poisson(mean: number, u16: number, v16: number): number {
  const j = (mean * GRID) | 0, row = j * SUPPORT;
  const u = (u16 + 0.5) / 65536;
  let n = POISSON_GUIDE[j * GUIDE_BINS + (u16 >>> 8)];
  while (u > POISSON_CDF[row + n]) n++;
  const d = mean - j / GRID, v = (v16 + 0.5) / 65536;
  let p = 1 - d * (1 - d * (0.5 - d * (1 / 6 - d / 24))), cdf = p;
  for (let m = 1; v > cdf && m < 8; m++) { n++; p *= d / m; cdf += p; }
  return n;
}

export { SATURATION_TO_CURVE };
