import { ConfigDocument, type ConfigPath } from '../core/ConfigDocument.js';
import type { Pose } from '../core/frame.js';
import { quatFromRollPitchYaw } from '../core/pose.js';

const DEG = Math.PI / 180;

/** Mount of a sensor in its parent's body frame (x forward, y left, z up). */
export interface Mount {
  x: number;
  y: number;
  z: number;
  /** Radians. */
  roll: number;
  pitch: number;
  yaw: number;
}

export interface LidarConfig {
  name: string;
  type: 'lidar';
  /** "ego" or an actor id. */
  parent: string;
  mount: Mount;
  rateHz: number;
  channels: number;
  /** Elevation of the lowest and highest channel (radians), channels spread evenly between. */
  lowerFov: number;
  upperFov: number;
  /** Horizontal field of view and step between columns (radians). */
  horizontalFov: number;
  horizontalResolution: number;
  minRange: number;
  maxRange: number;
  /** Standard deviation of Gaussian range noise (m); 0 for exact ranges. */
  rangeNoiseStd: number;
}

/** The actors' 3D boxes in the world (the ground truth a perception stack is scored against). */
export interface GroundTruthConfig {
  name: string;
  type: 'ground_truth';
  rateHz: number;
}

export type SensorConfig = LidarConfig | GroundTruthConfig;

export interface Rig {
  file: string;
  sensors: SensorConfig[];
}

export function mountPose(mount: Mount): Pose {
  return { p: [mount.x, mount.y, mount.z], q: quatFromRollPitchYaw(mount.roll, mount.pitch, mount.yaw) };
}

const SENSOR_TYPES = ['lidar', 'ground_truth'] as const;
const LIDAR_KEYS = ['name', 'type', 'parent', 'mount', 'rate', 'channels', 'fov', 'horizontal', 'range', 'noise'];

/**
 * Reads a rig file (YAML or JSON). Angles in the file are degrees, as on data sheets;
 * in memory they are radians.
 */
export function loadRig(file: string): Rig {
  const doc = ConfigDocument.read(file, 'sensor rig');
  doc.object([], ['sensors']);
  const entries = doc.array(['sensors']);
  if (entries.length === 0) doc.fail(['sensors'], 'expected at least one sensor');
  const sensors = entries.map((_, i) => readSensor(doc, ['sensors', i]));
  const names = new Set<string>();
  sensors.forEach((sensor, i) => {
    if (names.has(sensor.name)) doc.fail(['sensors', i, 'name'], `sensor name "${sensor.name}" is used twice`);
    names.add(sensor.name);
  });
  return { file, sensors };
}

function readSensor(doc: ConfigDocument, path: ConfigPath): SensorConfig {
  doc.object(path);
  const type = doc.string([...path, 'type'], { oneOf: SENSOR_TYPES });
  doc.object(path, type === 'lidar' ? LIDAR_KEYS : ['name', 'type', 'rate']);
  const name = doc.string([...path, 'name']);
  if (!/^[A-Za-z0-9_\-]+$/.test(name)) doc.fail([...path, 'name'], `sensor names may hold letters, digits, "_" and "-", got "${name}"`);
  if (type === 'ground_truth') return { name, type, rateHz: doc.number([...path, 'rate'], { min: 0, exclusiveMin: true, max: 1000 }) };
  const lower = doc.number([...path, 'fov', 'lower'], { min: -90, max: 90 });
  const upper = doc.number([...path, 'fov', 'upper'], { min: -90, max: 90 });
  if (upper < lower) doc.fail([...path, 'fov', 'upper'], `upper (${upper}) must not be below lower (${lower})`);
  const minRange = doc.number([...path, 'range', 'min'], { min: 0, default: 0.3 });
  const maxRange = doc.number([...path, 'range', 'max'], { min: 0, exclusiveMin: true });
  if (maxRange <= minRange) doc.fail([...path, 'range', 'max'], `max (${maxRange}) must exceed min (${minRange})`);
  const horizontalFov = doc.number([...path, 'horizontal', 'fov'], { min: 0, exclusiveMin: true, max: 360, default: 360 });
  const resolution = doc.number([...path, 'horizontal', 'resolution'], { min: 0, exclusiveMin: true, max: horizontalFov });
  return {
    name,
    type: 'lidar',
    parent: doc.string([...path, 'parent'], { default: 'ego' }),
    mount: readMount(doc, [...path, 'mount']),
    rateHz: doc.number([...path, 'rate'], { min: 0, exclusiveMin: true, max: 1000 }),
    channels: doc.number([...path, 'channels'], { integer: true, min: 1, max: 1024 }),
    lowerFov: lower * DEG,
    upperFov: upper * DEG,
    horizontalFov: horizontalFov * DEG,
    horizontalResolution: resolution * DEG,
    minRange,
    maxRange,
    rangeNoiseStd: doc.number([...path, 'noise', 'range_std'], { min: 0, default: 0 }),
  };
}

function readMount(doc: ConfigDocument, path: ConfigPath): Mount {
  if (!doc.has(path)) return { x: 0, y: 0, z: 0, roll: 0, pitch: 0, yaw: 0 };
  doc.object(path, ['x', 'y', 'z', 'roll', 'pitch', 'yaw']);
  const n = (key: string): number => doc.number([...path, key], { default: 0 });
  return { x: n('x'), y: n('y'), z: n('z'), roll: n('roll') * DEG, pitch: n('pitch') * DEG, yaw: n('yaw') * DEG };
}
