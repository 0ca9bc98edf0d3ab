/**
 * Which raindrops and snowflakes are drawn one by one, and the veil that stands in for the rest.
 *
 * A particle of diameter D (mm) at depth z (m) images to a disc of w = fx D 10⁻³ / z pixels. Its
 * area-time π w²/4 is spread along its streak, so no pixel receives more than
 *   α_max = π w² / 4        (w ≤ 1 px, streak no longer than the footprint: the worst case)
 * of its exposure, and no pixel changes by more than α_max C, C the largest contrast between the
 * particle's radiance and a background in the frame (Garg & Nayar's I = (τ/T) E_drop +
 * (1 − τ/T) E_background). A particle with α_max C < ε changes no pixel by more than ε, so it is
 * not drawn: below
 *   D*(z) = κ z,  κ = √(4 ε / (π C)) / (fx 10⁻³)
 * particles go into a uniform veil, their expected blend toward the particle radiance:
 * per pixel the expected area-time share of the particles in its ray's frustum in front of its
 * surface (depth Z_s),
 *   α_veil = (π/4)(fx/fy) 10⁻⁶ ∫_{Z_NEAR}^{min(Z_s, Z_FAR)} M₂(D*(z)) dz,
 *   M₂(D) = ∫_{D_min}^{min(D, D_max)} N0 e^(−Λx) x² dx
 *         = N0 [e^(−Λx)(x²/Λ + 2x/Λ² + 2/Λ³)] from min(D, D_max) to D_min,
 * because a pixel's frustum has cross-section z²/(fx fy) and a particle's image covers
 * π fx² D² 10⁻⁶ / (4 z²) px: the z² cancels. The particles above D*(z) are sampled exactly: with
 * an exponential size law the excess over D*(z) is again exponential (memoryless), and their
 * expected number is ∫ (N0/Λ)(e^(−Λ D*(z)) − e^(−Λ D_max)) dV. Drawn and veiled together, the
 * expected share is the whole size distribution's, whatever ε is.
 *
 * ε: one 8-bit code at mid grey. Metered exposure puts an 18 % grey card under the sky
 * (L_grey = 0.18 E_h / π) at x = 0.15 on the tone curve (ToneMapping.ts), where the ACES fit and
 * the sRGB encoding rise 484 codes per unit x: one code is Δx = 2.1·10⁻³, ε = 0.0138 L_grey.
 * A particle under it changes a mid-grey pixel by less than the 8-bit quantum; their sum, the
 * veil, is kept. (¼ code draws 2.8× as many raindrops and costs 2.7× the dry frame.) C is the
 * largest |E_particle − B| over the frame's pixels and channels, B capped at twice the curve's
 * white (x = 7.24, 48 L_grey): above it a pixel stays white under any α ≤ ½.
 */
import { acesFitted, MID_GREY, srgbEncode } from './ToneMapping.js';
import {
  DIAMETER, meanRadiance, sampleParticles, sizeDistribution, snowRadiance, Z_FAR, Z_NEAR,
  type ParticleKind, type Particles, type Pinhole, type PrecipitationTarget,
} from './Precipitation.js';

/** ε in 8-bit codes at mid grey. */
export const THRESHOLD_CODES = 1;
/** ε as a share of the grey card's radiance: THRESHOLD_CODES over the tone curve's slope at mid grey. */
export const THRESHOLD_RELATIVE = (() => {
  const code = (x: number) => 255 * srgbEncode(acesFitted(x));
  const h = 1e-5;
  const slope = (code(MID_GREY + h) - code(MID_GREY - h)) / (2 * h);
  return THRESHOLD_CODES / slope / MID_GREY;
})();
/** Exposed value at which the ACES fit reaches 1: 0.08 x² − 0.56 x − 0.14 = 0. */
export const CURVE_WHITE = (0.56 + Math.sqrt(0.56 ** 2 + 4 * 0.08 * 0.14)) / 0.16;

/** Radiance (kcd/m²) of the 18 % grey card under horizontal illuminance E_h (klx). */
export function greyRadiance(illuminance: number): number {
  return (0.18 * illuminance) / Math.PI;
}

/**
 * C: the largest |E − B| over the pixels and channels of `linear`, B capped at twice the
 * curve's white (2 · CURVE_WHITE / MID_GREY grey cards).
 */
export function contrastBound(linear: Float32Array, radiance: readonly number[], illuminance: number): number {
  const cap = (2 * CURVE_WHITE * greyRadiance(illuminance)) / MID_GREY;
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < linear.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      const b = Math.min(linear[i + c], cap);
      if (b < lo[c]) lo[c] = b;
      if (b > hi[c]) hi[c] = b;
    }
  }
  let C = 0;
  for (let c = 0; c < 3; c++) if (lo[c] <= hi[c]) C = Math.max(C, Math.abs(radiance[c] - lo[c]), Math.abs(hi[c] - radiance[c]));
  return C;
}

/** κ of D*(z) = κ z (mm per m): the diameter under which a particle changes no pixel by ε. */
export function thresholdSlope(fx: number, contrast: number, illuminance: number): number {
  if (!(contrast > 0)) return Infinity;
  const eps = THRESHOLD_RELATIVE * greyRadiance(illuminance);
  return Math.sqrt((4 * eps) / (Math.PI * contrast)) / (fx * 1e-3);
}

/** D*(z) clamped to the kind's drawn diameters. */
export function thresholdDiameter(kind: ParticleKind, kappa: number, z: number): number {
  const [d0, d1] = DIAMETER[kind];
  return Math.min(d1, Math.max(d0, kappa * z));
}

/** M₂(D) = ∫_{D_min}^{min(D, D_max)} N0 e^(−Λx) x² dx (m⁻³ mm²). */
export function secondMoment(kind: ParticleKind, rate: number, d: number): number {
  const { n0, lambda: l } = sizeDistribution(kind, rate);
  const [d0, d1] = DIAMETER[kind];
  const prim = (x: number) => Math.exp(-l * x) * (x * x / l + (2 * x) / (l * l) + 2 / (l * l * l));
  return n0 * (prim(d0) - prim(Math.min(Math.max(d, d0), d1)));
}

/** Steps of the veil's depth table between Z_NEAR and Z_FAR. */
const VEIL_STEPS = 256;

/**
 * The veil's α as a function of the depth of the surface behind it: a table of
 * (π/4)(fx/fy) 10⁻⁶ ∫_{Z_NEAR}^{z} M₂(D*(z')) dz' at VEIL_STEPS + 1 depths (Simpson per step).
 */
export class Veil {
  private readonly table = new Float64Array(VEIL_STEPS + 1);
  private readonly step = (Z_FAR - Z_NEAR) / VEIL_STEPS;

  constructor(kind: ParticleKind, rate: number, kappa: number, p: Pinhole) {
    const scale = (Math.PI / 4) * (p.fx / p.fy) * 1e-6;
    const m2 = (z: number) => secondMoment(kind, rate, kappa * z);
    for (let k = 0; k < VEIL_STEPS; k++) {
      const a = Z_NEAR + k * this.step, b = a + this.step;
      this.table[k + 1] = this.table[k] + (scale * this.step * (m2(a) + 4 * m2((a + b) / 2) + m2(b))) / 6;
    }
  }

  /** α of the veil in front of a surface at depth z (m along the axis; Infinity for sky). */
  alpha(z: number): number {
    if (z <= Z_NEAR) return 0;
    if (z >= Z_FAR) return this.table[VEIL_STEPS];
    const f = (z - Z_NEAR) / this.step, k = f | 0;
    return this.table[k] + (this.table[k + 1] - this.table[k]) * (f - k);
  }
}

/**
 * The frame's particles of each kind at its rate: those above D*(z) sampled, the rest as a
 * veil. Returns them and the image's mean radiance (the raindrops' radiance) they were judged by.
 */
export function visibleParticles(
  target: PrecipitationTarget, rates: readonly { kind: ParticleKind; rate: number }[], seed: number, frame: number,
): { sets: Particles[]; env: number[] } {
  const env = meanRadiance(target.linear);
  const sets = rates.map(({ kind, rate }) => {
    const snow = snowRadiance(target.illuminance);
    const radiance = kind === 'rain' ? env : [snow, snow, snow];
    const kappa = thresholdSlope(target.pinhole.fx, contrastBound(target.linear, radiance, target.illuminance), target.illuminance);
    const set = sampleParticles(kind, rate, target.pinhole, seed, frame, kappa);
    set.veil = new Veil(kind, rate, kappa, target.pinhole);
    return set;
  });
  return { sets, env };
}
