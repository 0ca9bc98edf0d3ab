import type { ConfigDocument, ConfigPath } from '../core/ConfigDocument.js';
import { DEG, readMount, type Mount } from './Rig.js';

export interface ImuConfig {
  name: string;
  type: 'imu';
  parent: string;
  mount: Mount;
  rateHz: number;
  /** White noise (m/s^2, rad/s) on each sample, and the standard deviation of each axis' constant bias. */
  accelNoiseStd: number;
  gyroNoiseStd: number;
  accelBiasStd: number;
  gyroBiasStd: number;
}

export interface GnssConfig {
  name: string;
  type: 'gnss';
  parent: string;
  mount: Mount;
  rateHz: number;
  /** The geodetic position of the map's origin (degrees, metres above the WGS84 ellipsoid). */
  origin: { latitude: number; longitude: number; altitude: number };
  horizontalNoiseStd: number;
  verticalNoiseStd: number;
}

export function readMotionSensorConfig(doc: ConfigDocument, path: ConfigPath, name: string, type: 'imu' | 'gnss'): ImuConfig | GnssConfig {
  const common = {
    name,
    parent: doc.string([...path, 'parent'], { default: 'ego' }),
    mount: readMount(doc, [...path, 'mount']),
  };
  if (type === 'imu') {
    doc.object(path, ['name', 'type', 'parent', 'mount', 'rate', 'noise']);
    if (doc.has([...path, 'noise'])) doc.object([...path, 'noise'], ['accel_std', 'gyro_std', 'accel_bias_std', 'gyro_bias_std']);
    return {
      ...common,
      type,
      rateHz: doc.number([...path, 'rate'], { min: 0, exclusiveMin: true, max: 1000, default: 100 }),
      accelNoiseStd: doc.number([...path, 'noise', 'accel_std'], { min: 0, default: 0 }),
      gyroNoiseStd: doc.number([...path, 'noise', 'gyro_std'], { min: 0, default: 0 }) * DEG,
      accelBiasStd: doc.number([...path, 'noise', 'accel_bias_std'], { min: 0, default: 0 }),
      gyroBiasStd: doc.number([...path, 'noise', 'gyro_bias_std'], { min: 0, default: 0 }) * DEG,
    };
  }
  doc.object(path, ['name', 'type', 'parent', 'mount', 'rate', 'origin', 'noise']);
  return {
    ...common,
    type,
    rateHz: doc.number([...path, 'rate'], { min: 0, exclusiveMin: true, max: 100, default: 10 }),
    origin: {
      latitude: doc.number([...path, 'origin', 'latitude'], { min: -89.9, max: 89.9, default: 0 }),
      longitude: doc.number([...path, 'origin', 'longitude'], { min: -180, max: 180, default: 0 }),
      altitude: doc.number([...path, 'origin', 'altitude'], { default: 0 }),
    },
    horizontalNoiseStd: doc.number([...path, 'noise', 'horizontal_std'], { min: 0, default: 0 }),
    verticalNoiseStd: doc.number([...path, 'noise', 'vertical_std'], { min: 0, default: 0 }),
  };
}
