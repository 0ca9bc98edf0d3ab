/**
 * LiDAR in rain and on a wet road. Pure functions; Lidar.ts draws the randomness from its
 * seeded per-(seed, sweep, ray) hash so a capture does not depend on ray order.
 *
 * Rain drops after Kilic, Ranasinghe, Wan, Sazonova, Smith, Dobbin and Stojanovic, "Lidar Light
 * Scattering Augmentation (LISA): Physics-based Simulation of Adverse Weather Conditions for 3D
 * Object Detection" (arXiv 2107.07004, 2021): drops of the Marshall-Palmer distribution
 * (Marshall and Palmer, J. Meteor. 5, 1948)
 *   N(D) = 8000 e^(-Λ D) m⁻³ mm⁻¹,  Λ = 4.1 R^-0.21 mm⁻¹  (R in mm/h)
 * fill each beam's cone; each shades its share of the beam and echoes as a Fresnel reflector
 * at normal incidence, ρ = ((n - 1)/(n + 1))² = 0.0199 for water (n = 1.328 at 905 nm, LISA's
 * value), so only drops within a few metres echo above a LiDAR's floor: returns near the
 * sensor. Extinction α = (π/4) Q_ext ∫ D² N(D) dD with Q_ext = 2 (drops are far larger than
 * the wavelength): 2.7 km⁻¹ at 25 mm/h, in line with the empirical 1.076 R^0.67 dB/km of
 * free-space optics (2.1 km⁻¹). The machinery (drops sampled in the cone, the strongest peak of
 * the summed waveform) is the snow model's (LidarSnow.ts), with drops up to 6 mm across (larger
 * ones break up; Pruppacher and Klett, Microphysics of Clouds and Precipitation, 1997).
 *
 * Range noise after Goodin, Carruth, Doude and Hudson, "Predicting the Influence of Rain on
 * LIDAR in ADAS", Electronics 8(1), 89 (2019), the rain-induced range error:
 *   σ = 0.02 z (1 - e^(-R_rain))²,  z the range in m, σ in m
 * (Goodin's extinction α = 0.01 R^0.6 is not used: read per km it is 40× below the drops'
 * extinction above, read per metre 25× over it.)
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
import { exponentialParticles, type Snowfall } from './LidarSnow.js';

/** Marshall-Palmer intercept (m⁻³ mm⁻¹) and slope Λ = MP_LAMBDA R^MP_LAMBDA_EXP (mm⁻¹). */
export const MP_N0 = 8000;
export const MP_LAMBDA = 4.1;
export const MP_LAMBDA_EXP = -0.21;
/** Largest drop (mm): bigger ones break up. */
export const RAIN_MAX_DIAMETER_MM = 6;
/** Refractive index of water at 905 nm (LISA) and the Fresnel reflectance at normal incidence. */
export const WATER_INDEX = 1.328;
export const DROP_REFLECTANCE = ((WATER_INDEX - 1) / (WATER_INDEX + 1)) ** 2;
/** Goodin's range-noise coefficient: σ = RAIN_RANGE_NOISE z (1 - e^(-R_rain))². */
export const RAIN_RANGE_NOISE = 0.02;
/** Fraction of the diffuse return a fully wet road loses (ρ_wet = ρ (1 - WET_REFLECTANCE_LOSS w)). */
export const WET_REFLECTANCE_LOSS = 0.7;
/** Chance a fully wet road surface's return is mirrored away (assumed; scales with w). */
export const WET_DROPOUT_MAX = 0.2;

/** The rain's drops at a rate in mm/h, for the particle model of LidarSnow.ts. */
export function rainfall(rateMmH: number): Snowfall {
  return exponentialParticles(rateMmH, MP_N0, MP_LAMBDA * rateMmH ** MP_LAMBDA_EXP, 0, RAIN_MAX_DIAMETER_MM, DROP_REFLECTANCE);
}

/** Rain range-noise σ (m) at range z (m). */
export function rainRangeSigma(rateMmH: number, z: number): number {
  const g = 1 - Math.exp(-Math.max(0, rateMmH));
  return RAIN_RANGE_NOISE * z * g * g;
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
