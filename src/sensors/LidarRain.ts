/**
 * LiDAR in rain and on a wet road. Pure functions; Lidar.ts draws the randomness from its
 * seeded per-(seed, sweep, ray) hash so a capture does not depend on ray order.
 *
 * Rain after Goodin, Carruth, Doude and Hudson, "Predicting the Influence of Rain on LIDAR in
 * ADAS", Electronics 8(1), 89 (2019):
 *   P = P0 e^(-2αR),  α = 0.01 R_rain^0.6
 * with the rain rate R_rain in mm/h and α in 1/km (Goodin takes the relation from Lewandowski
 * et al. 2009, stated per km). The ranges here are in metres, so α is divided by 1000: heavy
 * rain (25 mm/h) gives α ≈ 0.069 /km, a 1.4 % loss over a 100 m round trip. Read per metre
 * it would blank every return past a few tens of metres, which no rain does.
 * Range noise (Goodin's eq. for the rain-induced range error):
 *   σ = 0.02 z (1 - e^(-R_rain))²,  z the range in m, σ in m
 *
 * Wet road: a water film on asphalt makes the surface more specular, so less of the 905 nm
 * beam comes back diffusely toward the sensor. We model ρ_wet = ρ (1 - 0.7 w) for the wetness
 * w in [0, 1]: an approximation, not a fit, set so that a fully wet road returns ~30 % of its
 * dry intensity; adverse-weather tests report wet-road LiDAR intensity falling by a large
 * factor (e.g. Jokela, Kutila and Pyykönen, "Testing and validation of automotive point-cloud
 * sensors in adverse weather conditions", Appl. Sci. 9(11), 2019), but the 0.7 is ours.
 * Standing water also mirrors some beams away entirely: a dropout WET_DROPOUT_MAX w, also an
 * assumption, not a measured figure.
 */
import { classId } from '../core/semantic.js';

/** Goodin's coefficient and exponent: α = RAIN_ALPHA_COEF R_rain^RAIN_ALPHA_EXP (1/km). */
export const RAIN_ALPHA_COEF = 0.01;
export const RAIN_ALPHA_EXP = 0.6;
/** Goodin's range-noise coefficient: σ = RAIN_RANGE_NOISE z (1 - e^(-R_rain))². */
export const RAIN_RANGE_NOISE = 0.02;
/** Fraction of the diffuse return a fully wet road loses (ρ_wet = ρ (1 - WET_REFLECTANCE_LOSS w)). */
export const WET_REFLECTANCE_LOSS = 0.7;
/** Chance a fully wet road surface's return is mirrored away (assumed; scales with w). */
export const WET_DROPOUT_MAX = 0.2;

/** Rain extinction α in 1/m for a rate in mm/h (Goodin's 1/km figure over 1000). */
export function rainAlpha(rateMmH: number): number {
  return rateMmH > 0 ? (RAIN_ALPHA_COEF * rateMmH ** RAIN_ALPHA_EXP) / 1000 : 0;
}

/** Rain range-noise σ (m) at range z (m). */
export function rainRangeSigma(rateMmH: number, z: number): number {
  const g = 1 - Math.exp(-Math.max(0, rateMmH));
  return RAIN_RANGE_NOISE * z * g * g;
}

/** Standard normal from two uniforms in [0, 1) (Box-Muller); 1 - u keeps the log finite. */
export function gaussianFromUniforms(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

const ROAD_CLASSES = new Set([classId('road'), classId('lane_marking')]);

/** Whether a surface of this semantic class is road surface, which a wet road darkens. */
export function isRoadSurface(semanticClass: number): boolean {
  return ROAD_CLASSES.has(semanticClass);
}

/** The reflectance factor of a road surface at wetness w (clamped to [0, 1]). */
export function wetFactor(w: number): number {
  return 1 - WET_REFLECTANCE_LOSS * Math.min(1, Math.max(0, w));
}

/** The chance a road surface's return is lost at wetness w. */
export function wetDropout(w: number): number {
  return WET_DROPOUT_MAX * Math.min(1, Math.max(0, w));
}
