/**
 * Rain's attenuation of a radar's signal, by Recommendation ITU-R P.838-3 (2005), "Specific
 * attenuation model for rain for use in prediction methods": the specific attenuation is a
 * power law of the rain rate R (mm/h),
 *   γ_R = k R^α  (dB/km),
 * with k and α functions of the frequency f (GHz) fitted to scattering calculations over
 * 1–1000 GHz (its equations 2 and 3):
 *   log10 k = Σ_j a_j exp(−((log10 f − b_j) / c_j)²) + m_k log10 f + c_k
 *   α       = Σ_j a_j exp(−((log10 f − b_j) / c_j)²) + m_α log10 f + c_α
 * An automotive radar's path is horizontal and its polarisation is taken as horizontal (the
 * recommendation's tables 1 and 3). At 77 GHz, k = 1.132 and α = 0.718: 25 mm/h of rain takes
 * 11.4 dB/km, so a target 100 m away loses 2.3 dB over the round trip, one at 200 m 4.6 dB.
 * Fog and snow are left out: at 77 GHz their water content attenuates a few hundredths of a
 * dB/km (ITU-R P.840), nothing against a car's return.
 */

/** Table 1 of P.838-3, k_H: [a_j, b_j, c_j] and m_k, c_k. */
const K_TERMS: readonly (readonly [number, number, number])[] = [
  [-5.3398, -0.10008, 1.13098],
  [-0.35351, 1.2697, 0.454],
  [-0.23789, 0.86036, 0.15354],
  [-0.94158, 0.64552, 0.16817],
];
const K_M = -0.18961;
const K_C = 0.71147;
/** Table 3 of P.838-3, α_H: [a_j, b_j, c_j] and m_α, c_α. */
const ALPHA_TERMS: readonly (readonly [number, number, number])[] = [
  [-0.14318, 1.82442, -0.55187],
  [0.29591, 0.77564, 0.19822],
  [0.32177, 0.63773, 0.13164],
  [-5.3761, -0.9623, 1.47828],
  [16.1721, -3.2998, 3.4399],
];
const ALPHA_M = 0.67849;
const ALPHA_C = -1.95537;

function gaussians(terms: readonly (readonly [number, number, number])[], x: number): number {
  let sum = 0;
  for (const [a, b, c] of terms) sum += a * Math.exp(-(((x - b) / c) ** 2));
  return sum;
}

/** P.838-3's coefficients k and α at `frequencyGHz`, horizontal polarisation. */
export function rainCoefficients(frequencyGHz: number): { k: number; alpha: number } {
  const x = Math.log10(frequencyGHz);
  return { k: 10 ** (gaussians(K_TERMS, x) + K_M * x + K_C), alpha: gaussians(ALPHA_TERMS, x) + ALPHA_M * x + ALPHA_C };
}

/** Specific attenuation γ_R (dB/km) of rain of `rateMmH` at `frequencyGHz`; 0 without rain. */
export function rainAttenuationDbPerKm(frequencyGHz: number, rateMmH: number): number {
  if (!(rateMmH > 0)) return 0;
  const { k, alpha } = rainCoefficients(frequencyGHz);
  return k * rateMmH ** alpha;
}

/** The factor on received power of a target at `range` m after the round trip through the rain. */
export function rainTwoWayFactor(dbPerKm: number, range: number): number {
  return dbPerKm > 0 ? 10 ** ((-2 * dbPerKm * range) / 1000 / 10) : 1;
}
