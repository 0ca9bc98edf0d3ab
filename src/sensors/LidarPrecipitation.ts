/**
 * Falling snow or rain on a LiDAR beam's candidate echoes (LidarEchoes.ts): the per-beam
 * particle model of LidarSnow.ts (flakes, or LidarRain.ts's drops) run against the beam's
 * strongest surface echo, its result written back into the list, so that every return mode
 * (strongest, first, last, dual) sees the particles:
 *
 * - the surface echoes are shaded by the flakes in front of the strongest one and by the
 *   snowfall's extinction (LidarSnow's T(r), exact for that echo; the beam's other sub-ray echoes
 *   take the same factor, an approximation that matters only at edges, where echoes lie within
 *   a few metres of each other);
 * - when the strongest peak of the summed waveform is made mostly of flakes, a snow echo is
 *   added at its range (class 0, instance 0: it belongs to no surface), and a strongest-return
 *   sensor reports it; a dual-return sensor reports it and the shaded surface behind, as real
 *   dual-return sensors do in snowfall;
 * - when the peak is the surface's, its range and amplitude (with the flakes' and small flakes'
 *   echo under the same pulse) replace the surface echo's.
 *
 * The fog's soft echo, when fog and snow fall together, is left as fog alone computed it; in
 * rain and snow together, the rain is applied first, and its drop echo is not shaded by flakes.
 */
import { ECHO_SURFACE, type EchoList } from './LidarEchoes.js';
import { snowBeam, type SnowScratch, type SnowTables } from './LidarSnow.js';

/** What an echo comes from, beside LidarEchoes' surface (0) and fog (1): snow or rain. */
export const ECHO_PRECIPITATION = 2;

/**
 * Default full beam divergence (rad) for snow and rain when the LiDAR's config states none: 3 mrad, the
 * horizontal divergence Velodyne states for the VLS-128 (user manual 63-9483 Rev. A, Table F-1:
 * 3.0 mrad horizontal, 1.5 mrad vertical), close to Ouster's OS1 (0.18° FWHM, 3.1 mrad).
 */
export const DEFAULT_PARTICLE_DIVERGENCE = 3e-3;

/**
 * Applies the particles of `tables` (prepareSnow of a snowfall or a rainfall) to `list` (the
 * beam's echoes, already merged) with one 32-bit seed for the beam. The list is changed in
 * place and may end with one more echo (ECHO_PRECIPITATION), so it needs room for one beyond
 * the surface and fog echoes for each kind of particle applied.
 */
export function applyPrecipitation(list: EchoList, tables: SnowTables, beamSeed: number, scratch: SnowScratch): void {
  let hard = -1;
  for (let k = 0; k < list.count; k++) {
    if (list.kind[k] !== ECHO_SURFACE) continue;
    if (hard < 0 || list.amplitude[k] > list.amplitude[hard]) hard = k;
  }
  const hardRange = hard >= 0 && list.amplitude[hard] > 0 ? list.range[hard] : Infinity;
  const hardAmplitude = hardRange === Infinity ? 0 : list.amplitude[hard];
  const peak = snowBeam(tables, beamSeed, hardRange, hardAmplitude, scratch);
  if (hardAmplitude > 0) {
    // snowBeam leaves the shaded hard echo in its echo list (flakeEchoes).
    const shaded = scratch.hardIndex >= 0 ? scratch.echoAmplitude[scratch.hardIndex] : hardAmplitude;
    const factor = shaded / hardAmplitude;
    for (let k = 0; k < list.count; k++) if (list.kind[k] === ECHO_SURFACE) list.amplitude[k] *= factor;
  }
  if (!peak) return;
  if (peak.isSnow) list.push(peak.range, peak.amplitude, 0, 0, ECHO_PRECIPITATION);
  else if (hard >= 0) {
    list.range[hard] = peak.range;
    list.amplitude[hard] = peak.amplitude;
  }
}
