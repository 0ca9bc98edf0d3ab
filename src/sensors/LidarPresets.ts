/**
 * LiDAR models from their data sheets: channel elevations (degrees, in laser-id order),
 * horizontal field of view and resolution at the default rotation rate, rate and range.
 * A rig names one with `preset:` and may override any parameter.
 */
export interface LidarPreset {
  description: string;
  elevations: number[];
  horizontalFov: number;
  horizontalResolution: number;
  rate: number;
  minRange: number;
  maxRange: number;
}

const uniform = (lower: number, upper: number, channels: number): number[] =>
  Array.from({ length: channels }, (_, i) => lower + ((upper - lower) * i) / (channels - 1));

export const LIDAR_PRESETS: Record<string, LidarPreset> = {
  'vlp-16': {
    description: 'Velodyne VLP-16 (Puck): 16 channels, +-15 deg in 2 deg steps, laser ids interleaved',
    elevations: [-15, 1, -13, 3, -11, 5, -9, 7, -7, 9, -5, 11, -3, 13, -1, 15],
    horizontalFov: 360, horizontalResolution: 0.2, rate: 10, minRange: 0.5, maxRange: 100,
  },
  'hdl-32e': {
    description: 'Velodyne HDL-32E: 32 channels from -30.67 to +10.67 deg in 1.33 deg steps',
    elevations: uniform(-30.67, 10.67, 32),
    horizontalFov: 360, horizontalResolution: 0.16, rate: 10, minRange: 1, maxRange: 100,
  },
  'hdl-64e': {
    description: 'Velodyne HDL-64E: upper block +2 to -8.33 deg (1/3 deg), lower block -8.83 to -24.33 deg (1/2 deg)',
    elevations: [...uniform(2, -8.33, 32), ...uniform(-8.83, -24.33, 32)],
    horizontalFov: 360, horizontalResolution: 0.09, rate: 10, minRange: 0.9, maxRange: 120,
  },
  'os1-128': {
    description: 'Ouster OS1-128: 128 channels over a 45 deg vertical field, 2048 columns at 10 Hz',
    elevations: uniform(-22.5, 22.5, 128),
    horizontalFov: 360, horizontalResolution: 360 / 2048, rate: 10, minRange: 0.3, maxRange: 120,
  },
  'pandar64': {
    description: 'Hesai Pandar64: 64 channels from +14.88 to -24.90 deg, 0.167 deg spacing between +2 and -6 deg',
    elevations: [
      14.882, 11.032, 8.059, 5.057, 3.04, 2.028, 1.86, 1.688, 1.522, 1.351,
      1.184, 1.013, 0.846, 0.675, 0.508, 0.337, 0.169, 0, -0.169, -0.337,
      -0.508, -0.675, -0.845, -1.013, -1.184, -1.351, -1.522, -1.688, -1.86, -2.028,
      -2.198, -2.365, -2.536, -2.7, -2.873, -3.04, -3.21, -3.375, -3.548, -3.712,
      -3.884, -4.05, -4.221, -4.385, -4.558, -4.72, -4.892, -5.057, -5.229, -5.391,
      -5.565, -5.726, -5.898, -6.061, -7.063, -8.059, -9.06, -9.885, -11.032, -12.006,
      -12.974, -13.93, -18.889, -24.897,
    ],
    horizontalFov: 360, horizontalResolution: 0.2, rate: 10, minRange: 0.3, maxRange: 200,
  },
  'solid-state-120': {
    description: 'A forward solid-state unit (in the class of the Hesai AT128): 128 channels over 25.4 deg, 120 deg wide at 0.1 deg',
    elevations: uniform(-12.5, 12.9, 128),
    horizontalFov: 120, horizontalResolution: 0.1, rate: 10, minRange: 0.5, maxRange: 200,
  },
};
