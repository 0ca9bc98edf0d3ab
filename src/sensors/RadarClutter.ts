/**
 * Ground clutter: the echo of the road and terrain the radar's beam grazes, a distributed
 * scatterer whose RCS in one resolution cell is its normalised cross section times the cell's
 * area on the ground.
 *
 * Backscatter: the constant-gamma model, sigma0(psi) = gamma sin(psi), psi the grazing angle
 * (Nathanson, Reilly and Cohen, Radar Design Principles, 2nd ed., 1999, ch. 7; Long, Radar
 * Reflectivity of Land and Sea, 3rd ed., 2001). Default gamma = -20 dB, the value tabulated for
 * flat land (MathWorks Radar Toolbox, surfacegamma / surfaceReflectivity: "a constant gamma
 * value of -20 dB, which is representative of flatland"). That table is for 10 GHz; we found no
 * published gamma for asphalt at 77 GHz that we could read and verify (Li and Sarabandi, IEEE
 * TAP 47(5), 1999, measured road surfaces at 94 GHz and 70-88 deg incidence), so gamma is a rig
 * key (`clutter: { gamma_db }`).
 *
 * Cell area, pulse-limited (the beam's elevation footprint is far longer than a range cell at
 * automotive range resolutions): a range cell of slant depth dR covers dR / cos(psi) of ground
 * along the line of sight, and an azimuth width dTheta covers R cos(psi) dTheta across it
 * (R cos(psi) the ground range), so A = R cos(psi) dTheta * dR / cos(psi) = R dR dTheta: the
 * textbook A = R_g dTheta dR sec(psi) (Skolnik, Introduction to Radar Systems, 3rd ed., 2001,
 * ch. 7, radar clutter; Richards, Fundamentals of Radar Signal Processing, 2005, ch. 2) with R_g = R cos(psi).
 * On flat ground seen from height h, sin(psi) = h / R, so a cell's clutter RCS is
 * gamma h dR dTheta at every range, and its SNR falls as R^-4: clutter shows near the radar.
 */
import { classId } from '../core/semantic.js';

/** Default gamma (dB) of the constant-gamma model: flat land. */
export const DEFAULT_CLUTTER_GAMMA_DB = -20;

/** The surfaces that are ground to the radar: what it sees as clutter, not as an object. */
const GROUND_CLASSES = new Set([classId('road'), classId('sidewalk'), classId('terrain'), classId('lane_marking'), classId('shoulder')]);

export function isGroundClass(cls: number): boolean {
  return GROUND_CLASSES.has(cls);
}

/** sigma0 of the constant-gamma model at grazing angle psi (radians), linear (m^2/m^2). */
export function constantGammaSigma0(gammaDb: number, psi: number): number {
  return 10 ** (gammaDb / 10) * Math.sin(psi);
}

/** Pulse-limited ground area (m^2) of a range cell of depth dR over azimuth width dTheta at slant range R: R dR dTheta. */
export function clutterCellArea(range: number, rangeResolution: number, azimuthWidth: number): number {
  return range * rangeResolution * azimuthWidth;
}

/** Clutter RCS (m^2) of one azimuth strip dTheta wide of one range cell, at grazing angle psi. */
export function clutterRcs(gammaDb: number, psi: number, range: number, rangeResolution: number, azimuthWidth: number): number {
  return constantGammaSigma0(gammaDb, psi) * clutterCellArea(range, rangeResolution, azimuthWidth);
}
