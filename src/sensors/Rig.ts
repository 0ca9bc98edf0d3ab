import { ConfigDocument, type ConfigPath } from '../core/ConfigDocument.js';
import type { Pose } from '../core/frame.js';
import { quatFromRollPitchYaw } from '../core/pose.js';
import { readCameraConfig, type CameraConfig } from './CameraConfig.js';
import { readLidarConfig, type LidarConfig } from './LidarConfig.js';
import { readMotionSensorConfig, type GnssConfig, type ImuConfig } from './MotionSensorConfig.js';
import { readRadarConfig, type RadarConfig } from './RadarConfig.js';
import { RIG_LIMITS } from './RigLimits.js';

export type { CameraConfig, GnssConfig, ImuConfig, LidarConfig, RadarConfig };

export const DEG = Math.PI / 180;

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

/** The actors' 3D boxes in the world (the ground truth a perception stack is scored against). */
export interface GroundTruthConfig {
  name: string;
  type: 'ground_truth';
  rateHz: number;
}

export type SensorConfig = LidarConfig | RadarConfig | CameraConfig | ImuConfig | GnssConfig | GroundTruthConfig;

export interface Rig {
  file: string;
  sensors: SensorConfig[];
}

export function mountPose(mount: Mount): Pose {
  return { p: [mount.x, mount.y, mount.z], q: quatFromRollPitchYaw(mount.roll, mount.pitch, mount.yaw) };
}

const SENSOR_TYPES = ['lidar', 'radar', 'camera', 'imu', 'gnss', 'ground_truth'] as const;

/**
 * Reads a rig file (YAML or JSON). Angles in the file are degrees, as on data sheets;
 * in memory they are radians.
 */
export function loadRig(file: string): Rig {
  return readRig(ConfigDocument.read(file, 'sensor rig'), file);
}

/**
 * Reads a rig from its text, named `file` in its errors: the rig a recording carries as an
 * attachment, for exporters that need each sensor's mount.
 */
export function parseRig(source: string, file: string): Rig {
  return readRig(ConfigDocument.parse(source, file), file);
}

function readRig(doc: ConfigDocument, file: string): Rig {
  doc.object([], ['sensors']);
  const entries = doc.array(['sensors']);
  if (entries.length === 0) doc.fail(['sensors'], 'expected at least one sensor');
  if (entries.length > RIG_LIMITS.sensors) doc.fail(['sensors'], `a rig has at most ${RIG_LIMITS.sensors} sensors, got ${entries.length}`);
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
  const name = doc.string([...path, 'name']);
  if (!/^[A-Za-z0-9_\-]+$/.test(name)) doc.fail([...path, 'name'], `sensor names may hold letters, digits, "_" and "-", got "${name}"`);
  switch (type) {
    case 'ground_truth':
      doc.object(path, ['name', 'type', 'rate']);
      return { name, type, rateHz: doc.number([...path, 'rate'], { min: 0, exclusiveMin: true, max: 1000 }) };
    case 'radar':
      return readRadarConfig(doc, path, name);
    case 'camera':
      return readCameraConfig(doc, path, name);
    case 'imu':
    case 'gnss':
      return readMotionSensorConfig(doc, path, name, type);
    case 'lidar':
      break;
  }
  return readLidarConfig(doc, path, name);
}

export function readMount(doc: ConfigDocument, path: ConfigPath): Mount {
  if (!doc.has(path)) return { x: 0, y: 0, z: 0, roll: 0, pitch: 0, yaw: 0 };
  doc.object(path, ['x', 'y', 'z', 'roll', 'pitch', 'yaw']);
  const n = (key: string): number => doc.number([...path, key], { default: 0 });
  return { x: n('x'), y: n('y'), z: n('z'), roll: n('roll') * DEG, pitch: n('pitch') * DEG, yaw: n('yaw') * DEG };
}
