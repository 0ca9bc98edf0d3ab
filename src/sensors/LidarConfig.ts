import type { ConfigDocument, ConfigPath } from '../core/ConfigDocument.js';
import { RETURN_MODES, type ReturnMode } from './LidarEchoes.js';
import { LIDAR_PRESETS, type LidarPreset } from './LidarPresets.js';
import { DEG, readMount, type Mount } from './Rig.js';
import { RIG_LIMITS } from './RigLimits.js';

export interface LidarConfig {
  name: string;
  type: 'lidar';
  /** "ego" or an actor id. */
  parent: string;
  mount: Mount;
  rateHz: number;
  /** Elevation of each channel (radians), in laser-id order. */
  elevations: number[];
  /** Horizontal field of view and step between columns (radians). */
  horizontalFov: number;
  horizontalResolution: number;
  minRange: number;
  maxRange: number;
  /**
   * Where a 10 % target is still detected (m): `range.at_10_percent`, or the preset's data-sheet
   * figure; absent: maxRange. Sets the noise floor in weather (LidarFog.defaultFogFloor).
   */
  rangeAt10Percent?: number;
  /** Standard deviation of Gaussian range noise (m); 0 for exact ranges. */
  rangeNoiseStd: number;
  /** Probability that any return is lost. */
  dropoutBase: number;
  /** Returns whose intensity (rho cos(incidence) (10 m / range)^2, see Lidar.ts) is below this are lost. */
  minSignal: number;
  /** Rays that return nothing: left out, or kept as points at the origin flagged `valid` 0. */
  noReturn: 'drop' | 'keep';
  /** Each column fires at its own time in the sweep, from the poses at that time. */
  motionDistortion: boolean;
  /**
   * Beam divergence and multiple returns (LidarBeam.ts, LidarEchoes.ts). Absent: one ray per
   * beam and the strongest return, the plain LiDAR (a rig with sub_rays 1 and mode strongest
   * gets none either, so its frames are those of the plain LiDAR).
   */
  beam?: LidarBeamConfig;
}

export interface LidarBeamConfig {
  /** Sub-rays cast per beam, K (1 to MAX_SUB_RAYS). */
  subRays: number;
  /** Full divergence angle of the beam at its 1/e² diameter (radians). */
  divergence: number;
  /** Echoes closer than this in range merge into one (m). */
  rangeResolution: number;
  returnMode: ReturnMode;
}

/** Most sub-rays a beam may be cast as (a centre and four whole rings hold 61). */
export const MAX_SUB_RAYS = 64;
/** Largest divergence accepted (degrees): automotive LiDARs spread a few tenths of a degree. */
export const MAX_DIVERGENCE_DEG = 10;
/**
 * Echoes closer than this merge when neither the rig nor the preset says otherwise (m): the
 * Velodyne VLS-128 user manual (63-9483 Rev. A, §6.2.3) records both returns of a pulse only
 * when the two objects are one metre or more apart.
 */
export const DEFAULT_RANGE_RESOLUTION = 1;

const LIDAR_KEYS = ['name', 'type', 'preset', 'parent', 'mount', 'rate', 'channels', 'fov', 'elevations', 'horizontal', 'range', 'noise', 'dropout', 'no_return', 'motion_distortion', 'beam', 'return_mode'];

/** A LiDAR's rig entry: a preset and/or explicit parameters (explicit ones win). */
export function readLidarConfig(doc: ConfigDocument, path: ConfigPath, name: string): LidarConfig {
  doc.object(path, LIDAR_KEYS);
  const presetName = doc.has([...path, 'preset']) ? doc.string([...path, 'preset'], { oneOf: Object.keys(LIDAR_PRESETS) }) : undefined;
  const preset = presetName ? LIDAR_PRESETS[presetName] : undefined;
  const elevations = readElevations(doc, path, preset);
  if (doc.has([...path, 'range'])) doc.object([...path, 'range'], ['min', 'max', 'at_10_percent']);
  const minRange = doc.number([...path, 'range', 'min'], { min: 0, default: preset?.minRange ?? 0.3 });
  const maxRange = doc.number([...path, 'range', 'max'], { min: 0, exclusiveMin: true, default: preset?.maxRange });
  if (maxRange <= minRange) doc.fail([...path, 'range', 'max'], `max (${maxRange}) must exceed min (${minRange})`);
  const rangeAt10Percent = doc.has([...path, 'range', 'at_10_percent']) || preset?.rangeAt10Percent !== undefined
    ? doc.number([...path, 'range', 'at_10_percent'], { min: minRange, exclusiveMin: true, max: maxRange, default: Math.min(maxRange, preset?.rangeAt10Percent ?? maxRange) })
    : undefined;
  const rateHz = doc.number([...path, 'rate'], { min: 0, exclusiveMin: true, max: 1000, default: preset?.rate });
  const horizontalFov = doc.number([...path, 'horizontal', 'fov'], { min: 0, exclusiveMin: true, max: 360, default: preset?.horizontalFov ?? 360 });
  let resolution: number;
  if (doc.has([...path, 'horizontal', 'points_per_second'])) {
    const pps = doc.number([...path, 'horizontal', 'points_per_second'], { min: 1 });
    resolution = resolutionForPointsPerSecond(pps, elevations.length, rateHz, horizontalFov);
  } else if (preset && !doc.has([...path, 'horizontal', 'resolution'])) {
    // The preset's lasers fire at their own rate: its channel count, whatever the rig's.
    resolution = resolutionForPointsPerSecond(preset.pointsPerSecond, preset.elevations.length, rateHz, horizontalFov);
  } else {
    resolution = doc.number([...path, 'horizontal', 'resolution'], { min: 0, exclusiveMin: true, max: horizontalFov });
  }
  const beam = readBeam(doc, path, presetName, preset);
  const subRays = beam?.subRays ?? 1;
  // The sweep's size before anything is allocated for it: every sub-ray is a ray cast.
  const columns = Math.round(horizontalFov / resolution);
  const rays = columns * elevations.length * subRays;
  if (columns > RIG_LIMITS.lidarColumns || rays > RIG_LIMITS.lidarRaysPerSweep) {
    const subs = subRays > 1 ? ` x ${subRays} sub-rays` : '';
    doc.fail([...path, 'horizontal'], `this LiDAR would cast ${columns} columns x ${elevations.length} channels${subs} = ${rays} rays a sweep; at most ${RIG_LIMITS.lidarColumns} columns and ${RIG_LIMITS.lidarRaysPerSweep} rays (${subRays > 1 ? 'a coarser resolution, fewer points per second or fewer sub_rays' : 'a coarser resolution or fewer points per second'})`);
  }
  return {
    name,
    type: 'lidar',
    parent: doc.string([...path, 'parent'], { default: 'ego' }),
    mount: readMount(doc, [...path, 'mount']),
    rateHz,
    elevations: elevations.map((e) => e * DEG),
    horizontalFov: horizontalFov * DEG,
    horizontalResolution: resolution * DEG,
    minRange,
    maxRange,
    ...(rangeAt10Percent === undefined ? {} : { rangeAt10Percent }),
    rangeNoiseStd: doc.number([...path, 'noise', 'range_std'], { min: 0, default: 0 }),
    dropoutBase: doc.number([...path, 'dropout', 'probability'], { min: 0, max: 1, default: 0 }),
    minSignal: doc.number([...path, 'dropout', 'min_signal'], { min: 0, default: 0 }),
    noReturn: doc.string([...path, 'no_return'], { oneOf: ['drop', 'keep'], default: 'drop' }) as 'drop' | 'keep',
    motionDistortion: doc.boolean([...path, 'motion_distortion'], true),
    ...(beam ? { beam } : {}),
  };
}

/**
 * `beam: { divergence, sub_rays, range_resolution }` and `return_mode`. The divergence is the
 * full angle at the 1/e² diameter in degrees, needed (here or from the preset) once a beam has
 * more than one sub-ray. Undefined when the beam model is off: one sub-ray, strongest return.
 */
function readBeam(doc: ConfigDocument, path: ConfigPath, presetName: string | undefined, preset: LidarPreset | undefined): LidarBeamConfig | undefined {
  const at = [...path, 'beam'];
  if (doc.has(at)) doc.object(at, ['divergence', 'sub_rays', 'range_resolution']);
  const subRays = doc.number([...at, 'sub_rays'], { integer: true, min: 1, max: MAX_SUB_RAYS, default: 1 });
  const returnMode = doc.string([...path, 'return_mode'], { oneOf: RETURN_MODES, default: 'strongest' }) as ReturnMode;
  let divergence = preset?.divergence ?? 0;
  if (doc.has([...at, 'divergence'])) {
    divergence = doc.number([...at, 'divergence'], { min: 0, exclusiveMin: true, max: MAX_DIVERGENCE_DEG });
  } else if (subRays > 1 && !(divergence > 0)) {
    const from = presetName ? `; preset ${presetName} states none` : '';
    doc.fail([...at, 'divergence'], `sub_rays ${subRays} needs the beam's divergence: expected divergence (full angle at the 1/e² diameter, degrees, > 0 and <= ${MAX_DIVERGENCE_DEG})${from}`);
  }
  const rangeResolution = doc.number([...at, 'range_resolution'], { min: 0, exclusiveMin: true, max: 100, default: preset?.rangeResolution ?? DEFAULT_RANGE_RESOLUTION });
  if (subRays === 1 && returnMode === 'strongest') return undefined;
  return { subRays, divergence: divergence * DEG, rangeResolution, returnMode };
}

/**
 * The horizontal step (degrees) at which `channels` lasers sweeping `fov` degrees `rateHz`
 * times a second give `pointsPerSecond` returns: pointsPerSecond / (channels x rate) columns,
 * rounded, spaced evenly over a full turn, or edge to edge over a sector (a sector scanner
 * fires at both edges).
 */
export function resolutionForPointsPerSecond(pointsPerSecond: number, channels: number, rateHz: number, fov: number): number {
  const fullTurn = fov >= 360;
  const columns = Math.max(fullTurn ? 1 : 2, Math.round(pointsPerSecond / (channels * rateHz)));
  return fullTurn ? fov / columns : fov / (columns - 1);
}

/** Channel elevations in degrees: an explicit table, or `channels` spread over `fov`, or the preset's. */
function readElevations(doc: ConfigDocument, path: ConfigPath, preset: LidarPreset | undefined): number[] {
  if (doc.has([...path, 'elevations'])) {
    if (doc.has([...path, 'channels']) || doc.has([...path, 'fov'])) doc.fail([...path, 'elevations'], 'give either an elevations table or channels with fov, not both');
    const table = doc.array([...path, 'elevations']).map((_, i) => doc.number([...path, 'elevations', i], { min: -90, max: 90 }));
    if (table.length === 0) doc.fail([...path, 'elevations'], 'expected at least one elevation');
    return table;
  }
  if (preset && !doc.has([...path, 'channels']) && !doc.has([...path, 'fov'])) return preset.elevations;
  const channels = doc.number([...path, 'channels'], { integer: true, min: 1, max: 1024 });
  const lower = doc.number([...path, 'fov', 'lower'], { min: -90, max: 90 });
  const upper = doc.number([...path, 'fov', 'upper'], { min: -90, max: 90 });
  if (upper < lower) doc.fail([...path, 'fov', 'upper'], `upper (${upper}) must not be below lower (${lower})`);
  return Array.from({ length: channels }, (_, i) => (channels > 1 ? lower + ((upper - lower) * i) / (channels - 1) : lower));
}

