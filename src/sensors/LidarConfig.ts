import type { ConfigDocument, ConfigPath } from '../core/ConfigDocument.js';
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
}

const LIDAR_KEYS = ['name', 'type', 'preset', 'parent', 'mount', 'rate', 'channels', 'fov', 'elevations', 'horizontal', 'range', 'noise', 'dropout', 'no_return', 'motion_distortion'];

/** A LiDAR's rig entry: a preset and/or explicit parameters (explicit ones win). */
export function readLidarConfig(doc: ConfigDocument, path: ConfigPath, name: string): LidarConfig {
  doc.object(path, LIDAR_KEYS);
  const presetName = doc.has([...path, 'preset']) ? doc.string([...path, 'preset'], { oneOf: Object.keys(LIDAR_PRESETS) }) : undefined;
  const preset = presetName ? LIDAR_PRESETS[presetName] : undefined;
  const elevations = readElevations(doc, path, preset);
  const minRange = doc.number([...path, 'range', 'min'], { min: 0, default: preset?.minRange ?? 0.3 });
  const maxRange = doc.number([...path, 'range', 'max'], { min: 0, exclusiveMin: true, default: preset?.maxRange });
  if (maxRange <= minRange) doc.fail([...path, 'range', 'max'], `max (${maxRange}) must exceed min (${minRange})`);
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
  // The sweep's size before anything is allocated for it.
  const columns = Math.round(horizontalFov / resolution);
  if (columns > RIG_LIMITS.lidarColumns || columns * elevations.length > RIG_LIMITS.lidarRaysPerSweep) {
    doc.fail([...path, 'horizontal'], `this LiDAR would cast ${columns} columns x ${elevations.length} channels = ${columns * elevations.length} rays a sweep; at most ${RIG_LIMITS.lidarColumns} columns and ${RIG_LIMITS.lidarRaysPerSweep} rays (a coarser resolution or fewer points per second)`);
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
    rangeNoiseStd: doc.number([...path, 'noise', 'range_std'], { min: 0, default: 0 }),
    dropoutBase: doc.number([...path, 'dropout', 'probability'], { min: 0, max: 1, default: 0 }),
    minSignal: doc.number([...path, 'dropout', 'min_signal'], { min: 0, default: 0 }),
    noReturn: doc.string([...path, 'no_return'], { oneOf: ['drop', 'keep'], default: 'drop' }) as 'drop' | 'keep',
    motionDistortion: doc.boolean([...path, 'motion_distortion'], true),
  };
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

