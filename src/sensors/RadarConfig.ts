import type { ConfigDocument, ConfigPath } from '../core/ConfigDocument.js';
import { DEFAULT_CLUTTER_GAMMA_DB } from './RadarClutter.js';
import { DEG, readMount, type Mount } from './Rig.js';
import { RIG_LIMITS } from './RigLimits.js';

export interface RadarConfig {
  name: string;
  type: 'radar';
  parent: string;
  mount: Mount;
  rateHz: number;
  /** Full fields of view (radians), centred on the sensor's x axis. */
  azimuthFov: number;
  elevationFov: number;
  minRange: number;
  maxRange: number;
  /** Cell sizes: returns in one cell from one object become one detection. */
  rangeResolution: number;
  azimuthResolution: number;
  maxDetections: number;
  /** SNR (dB) of a 1 m^2 target at 1 m: sets how far a target of a given RCS is seen. */
  sensitivityDb: number;
  /** The hard detection cut; with fluctuation 'swerling1', false_alarm_probability sets it instead. */
  minSnrDb: number;
  rangeNoiseStd: number;
  azimuthNoiseStd: number;
  velocityNoiseStd: number;
  /** Expected false detections per frame (Poisson). */
  falseAlarmRate: number;
  /**
   * 'swerling1': each detection's RCS fluctuates per scan (exponential around the mean) and
   * it is kept with probability Pfa^(1/(1+SNR)) instead of by the min_snr_db cut; 'none'
   * (default): the steady RCS and the hard cut.
   */
  fluctuation: 'none' | 'swerling1';
  /** The detector's false-alarm probability per cell, for fluctuation 'swerling1'. */
  falseAlarmProbability: number;
  /** Radial velocities outside +-this (m/s) are reported folded into it; undefined: never. */
  maxUnambiguousVelocity?: number;
  /** Merge detections closer than the resolution in both range and azimuth into one. */
  mergeUnresolved: boolean;
  /** Power reflection coefficient of static surfaces for multipath ghosts; undefined: none. */
  multipathReflectivity?: number;
  /** Ground clutter's gamma (dB) of the constant-gamma model (RadarClutter.ts); undefined: no clutter. */
  clutterGammaDb?: number;
  /** Add the nuScenes per-detection fields (RadarNuscenes.ts) to each frame. */
  nuscenesFields: boolean;
}

interface RadarPreset {
  description: string;
  azimuthFov: number;
  elevationFov: number;
  maxRange: number;
  rangeResolution: number;
  azimuthResolution: number;
  rate: number;
  sensitivityDb: number;
}

/** Two typical automotive 77 GHz units. */
export const RADAR_PRESETS: Record<string, RadarPreset> = {
  'long-range': {
    description: 'forward long-range radar: 18 x 10 deg, 250 m, 0.4 m / 1 deg cells',
    azimuthFov: 18, elevationFov: 10, maxRange: 250, rangeResolution: 0.4, azimuthResolution: 1, rate: 20, sensitivityDb: 96,
  },
  corner: {
    description: 'short-range corner radar: 150 x 10 deg, 80 m, 0.15 m / 2 deg cells',
    azimuthFov: 150, elevationFov: 10, maxRange: 80, rangeResolution: 0.15, azimuthResolution: 2, rate: 20, sensitivityDb: 78,
  },
};

/** Rays per azimuth resolution cell, and the step between the fan's rows of rays. */
const RAYS_PER_CELL = 4;
const ELEVATION_STEP = 1 * (Math.PI / 180);

/** The radar's fan of rays: columns over the azimuth field, rows over the elevation field. */
export function radarFan(config: Pick<RadarConfig, 'azimuthFov' | 'elevationFov' | 'azimuthResolution'>): { azCount: number; elCount: number } {
  const azStep = config.azimuthResolution / RAYS_PER_CELL;
  return { azCount: Math.max(1, Math.round(config.azimuthFov / azStep)), elCount: Math.max(1, Math.round(config.elevationFov / ELEVATION_STEP)) };
}

const RADAR_KEYS = ['name', 'type', 'preset', 'parent', 'mount', 'rate', 'fov', 'range', 'resolution', 'max_detections', 'sensitivity_db', 'min_snr_db', 'noise', 'false_alarm_rate',
  'fluctuation', 'false_alarm_probability', 'max_unambiguous_velocity', 'merge_unresolved',
  'multipath_reflectivity', 'clutter', 'nuscenes_fields'];

/** The Swerling-I detector's keys: its false-alarm probability replaces the min_snr_db cut. */
function readDetector(doc: ConfigDocument, path: ConfigPath, config: RadarConfig): void {
  const pfaPath = [...path, 'false_alarm_probability'];
  if (config.fluctuation !== 'swerling1') {
    if (doc.has(pfaPath)) doc.fail(pfaPath, 'false_alarm_probability sets the detector of fluctuation: swerling1; add that, or remove this');
    return;
  }
  // Both would set the threshold; one must say which.
  if (doc.has([...path, 'min_snr_db'])) doc.fail([...path, 'min_snr_db'], 'with fluctuation: swerling1 the threshold is set by false_alarm_probability, not min_snr_db; remove one');
  const pfa = doc.number(pfaPath, { min: 0, exclusiveMin: true, default: 1e-6 });
  if (pfa >= 1) doc.fail(pfaPath, `expected a probability below 1, got ${pfa}`);
  config.falseAlarmProbability = pfa;
}

/** `clutter: true` (gamma -20 dB), `clutter: false`, or `clutter: { gamma_db }`. */
function readClutter(doc: ConfigDocument, path: ConfigPath, config: RadarConfig): void {
  const value = doc.get(path);
  if (value === undefined || value === false) return;
  if (value === true) {
    config.clutterGammaDb = DEFAULT_CLUTTER_GAMMA_DB;
    return;
  }
  if (value === null || typeof value !== 'object') doc.fail(path, `expected true, false or a mapping { gamma_db }, got ${JSON.stringify(value)}`);
  doc.object(path, ['gamma_db']);
  // Above 0 dB a surface would scatter back more than it receives at normal grazing: no ground does.
  config.clutterGammaDb = doc.number([...path, 'gamma_db'], { max: 0, default: DEFAULT_CLUTTER_GAMMA_DB });
}

export function readRadarConfig(doc: ConfigDocument, path: ConfigPath, name: string): RadarConfig {
  doc.object(path, RADAR_KEYS);
  const presetName = doc.has([...path, 'preset']) ? doc.string([...path, 'preset'], { oneOf: Object.keys(RADAR_PRESETS) }) : undefined;
  const preset = presetName ? RADAR_PRESETS[presetName] : undefined;
  const minRange = doc.number([...path, 'range', 'min'], { min: 0, default: 0.5 });
  const maxRange = doc.number([...path, 'range', 'max'], { min: 0, exclusiveMin: true, default: preset?.maxRange });
  if (maxRange <= minRange) doc.fail([...path, 'range', 'max'], `max (${maxRange}) must exceed min (${minRange})`);
  const config: RadarConfig = {
    name,
    type: 'radar',
    parent: doc.string([...path, 'parent'], { default: 'ego' }),
    mount: readMount(doc, [...path, 'mount']),
    rateHz: doc.number([...path, 'rate'], { min: 0, exclusiveMin: true, max: 1000, default: preset?.rate }),
    azimuthFov: doc.number([...path, 'fov', 'azimuth'], { min: 0, exclusiveMin: true, max: 180, default: preset?.azimuthFov }) * DEG,
    elevationFov: doc.number([...path, 'fov', 'elevation'], { min: 0, exclusiveMin: true, max: 90, default: preset?.elevationFov }) * DEG,
    minRange,
    maxRange,
    rangeResolution: doc.number([...path, 'resolution', 'range'], { min: 0, exclusiveMin: true, default: preset?.rangeResolution }),
    azimuthResolution: doc.number([...path, 'resolution', 'azimuth'], { min: 0, exclusiveMin: true, default: preset?.azimuthResolution }) * DEG,
    maxDetections: doc.number([...path, 'max_detections'], { integer: true, min: 1, max: RIG_LIMITS.radarDetections, default: 64 }),
    sensitivityDb: doc.number([...path, 'sensitivity_db'], { default: preset?.sensitivityDb ?? 90 }),
    minSnrDb: doc.number([...path, 'min_snr_db'], { default: 10 }),
    rangeNoiseStd: doc.number([...path, 'noise', 'range_std'], { min: 0, default: 0 }),
    azimuthNoiseStd: doc.number([...path, 'noise', 'azimuth_std'], { min: 0, default: 0 }) * DEG,
    velocityNoiseStd: doc.number([...path, 'noise', 'velocity_std'], { min: 0, default: 0 }),
    falseAlarmRate: doc.number([...path, 'false_alarm_rate'], { min: 0, max: RIG_LIMITS.radarFalseAlarms, default: 0 }),
    fluctuation: doc.string([...path, 'fluctuation'], { oneOf: ['none', 'swerling1'], default: 'none' }) as RadarConfig['fluctuation'],
    falseAlarmProbability: 1e-6,
    mergeUnresolved: doc.boolean([...path, 'merge_unresolved'], false),
    nuscenesFields: doc.boolean([...path, 'nuscenes_fields'], false),
  };
  // Optional keys are set only when given, so a rig without them builds the same config object.
  if (doc.has([...path, 'max_unambiguous_velocity'])) {
    config.maxUnambiguousVelocity = doc.number([...path, 'max_unambiguous_velocity'], { min: 0, exclusiveMin: true });
  }
  if (doc.has([...path, 'multipath_reflectivity'])) {
    config.multipathReflectivity = doc.number([...path, 'multipath_reflectivity'], { min: 0, exclusiveMin: true, max: 1 });
  }
  readClutter(doc, [...path, 'clutter'], config);
  readDetector(doc, path, config);
  const { azCount, elCount } = radarFan(config);
  if (azCount * elCount > RIG_LIMITS.radarRays) {
    doc.fail([...path, 'resolution', 'azimuth'], `this radar would cast ${azCount} x ${elCount} = ${azCount * elCount} rays a scan; at most ${RIG_LIMITS.radarRays} (a coarser azimuth resolution)`);
  }
  return config;
}
