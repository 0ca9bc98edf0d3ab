/**
 * LiDAR models from their data sheets: channel elevations (degrees, in laser-id order), the
 * horizontal field of view, the points per second in single-return mode, the default rotation
 * (or frame) rate and the range. The horizontal resolution is not stored: it follows from the
 * points per second, as on the real sensor, whose lasers fire at a fixed rate whatever the
 * rotation rate (an HDL-64E at 10 Hz steps 0.1728° between columns, at 5 Hz 0.0864°). A rig
 * names a preset with `preset:` and may override any parameter.
 */
export interface LidarPreset {
  description: string;
  elevations: number[];
  horizontalFov: number;
  /** Returns per second with every ray returning, single-return mode (the data sheet's figure). */
  pointsPerSecond: number;
  rate: number;
  minRange: number;
  maxRange: number;
  /**
   * Full beam divergence at the 1/e² diameter (degrees), where the data sheet states one (a
   * FWHM figure is converted: 1/e² = FWHM x 2 / sqrt(2 ln 2) = 1.699 FWHM for a Gaussian beam).
   */
  divergence?: number;
  /** Range separation below which two echoes of one pulse merge (m), where the sheet states one. */
  rangeResolution?: number;
  /**
   * The range (m) at which the sheet says a 10 % Lambertian target is still detected, where it
   * says so: the sensor's noise floor in weather (LidarFog.defaultFogFloor). Absent: maxRange.
   */
  rangeAt10Percent?: number;
}

/** A Gaussian beam's 1/e² full width from its full width at half maximum. */
const fromFwhm = (fwhm: number): number => (fwhm * 2) / Math.sqrt(2 * Math.LN2);

const uniform = (lower: number, upper: number, channels: number): number[] =>
  Array.from({ length: channels }, (_, i) => lower + ((upper - lower) * i) / (channels - 1));

/** Two interleaved blocks: laser 2k fires at lower[k], laser 2k + 1 at upper[k]. */
const interleave = (lower: number[], upper: number[]): number[] => lower.flatMap((e, k) => [e, upper[k]]);

export const LIDAR_PRESETS: Record<string, LidarPreset> = {
  'vlp-16': {
    description: 'Velodyne VLP-16 (Puck), data sheet 63-9229 and user manual 63-9243 Rev. D: 16 lasers, +-15 deg in 2 deg steps, '
      + 'laser ids interleaved; all 16 fire every 55.296 us, 289,352 points/s single return (data sheet: ~300,000), '
      + '0.2 deg at 10 Hz (5-20 Hz); range 100 m; strongest, last and dual returns (manual 63-9243 §9.3)' + '; beam divergence and two-echo range resolution: not found in the sources consulted (sub_rays > 1 needs beam.divergence; range_resolution defaults to 1 m)',
    elevations: [-15, 1, -13, 3, -11, 5, -9, 7, -7, 9, -5, 11, -3, 13, -1, 15],
    horizontalFov: 360, pointsPerSecond: 16 / 55.296e-6, rate: 10, minRange: 0.5, maxRange: 100,
  },
  'hdl-32e': {
    description: 'Velodyne HDL-32E, data sheet 97-0038 and user manual 63-9113: 32 lasers from -30.67 to +10.67 deg in 4/3 deg steps, '
      + 'laser ids interleaved (even ids -30.67 to -10.67, odd ids -9.33 to +10.67); all 32 fire every 46.08 us, '
      + '694,444 points/s single return (data sheet: ~695,000), 0.166 deg at 10 Hz (5-20 Hz); range 100 m' + '; beam divergence and two-echo range resolution: not found in the sources consulted (sub_rays > 1 needs beam.divergence; range_resolution defaults to 1 m)',
    elevations: interleave(uniform(-92 / 3, -32 / 3, 16), uniform(-28 / 3, 32 / 3, 16)),
    horizontalFov: 360, pointsPerSecond: 32 / 46.08e-6, rate: 10, minRange: 1, maxRange: 100,
  },
  'hdl-64e': {
    description: 'Velodyne HDL-64E (S2, the KITTI sensor), data sheet and user manual: upper block +2 to -8.33 deg (1/3 deg), '
      + 'lower block -8.83 to -24.33 deg (1/2 deg); each laser fires ~20,833 times a second, 1,333,333 points/s '
      + 'single return (data sheet: >1.333 M), 0.1728 deg at 10 Hz, 0.0864 deg at 5 Hz (5-15 Hz); range 120 m (cars, foliage: ~80 %), 50 m on pavement (~10 %)' + '; beam divergence and two-echo range resolution: not found in the sources consulted (sub_rays > 1 needs beam.divergence; range_resolution defaults to 1 m)',
    elevations: [...uniform(2, -25 / 3, 32), ...uniform(-8.83, -24.33, 32)],
    horizontalFov: 360, pointsPerSecond: 64 * (1e6 / 48), rate: 10, minRange: 0.9, maxRange: 120, rangeAt10Percent: 50,
  },
  'os1-128': {
    description: 'Ouster OS1-128 (Rev 6 data sheet): 128 channels evenly over a 45 deg vertical field, 2048 columns '
      + 'at 10 Hz (1024 at 20 Hz): 2,621,440 points/s; range 120 m; beam divergence 0.18 deg FWHM (OS1 data sheet), '
      + '0.306 deg at 1/e²; one return (strongest); the sheet\'s 1.2 cm "range resolution" is that of the reported range, '
      + 'not a two-echo separation, so range_resolution defaults to 1 m; 40 m at 10 % reflectivity, 120 m at 80 % '
      + '(100 klx sunlight, false positives 1 in 10,000: the OS1 data sheet, first generation)',
    elevations: uniform(-22.5, 22.5, 128),
    horizontalFov: 360, pointsPerSecond: 128 * 2048 * 10, rate: 10, minRange: 0.3, maxRange: 120, divergence: fromFwhm(0.18), rangeAt10Percent: 40,
  },
  'pandar64': {
    description: 'Hesai Pandar64 (user manual): 64 channels from +14.88 to -24.90 deg, 0.167 deg spacing between +2 and -6 deg; '
      + '1,152,000 points/s single return, 0.2 deg at 10 Hz (0.4 deg at 20 Hz); range 0.3-200 m' + '; beam divergence and two-echo range resolution: not found in the sources consulted (sub_rays > 1 needs beam.divergence; range_resolution defaults to 1 m)',
    elevations: [
      14.882, 11.032, 8.059, 5.057, 3.04, 2.028, 1.86, 1.688, 1.522, 1.351,
      1.184, 1.013, 0.846, 0.675, 0.508, 0.337, 0.169, 0, -0.169, -0.337,
      -0.508, -0.675, -0.845, -1.013, -1.184, -1.351, -1.522, -1.688, -1.86, -2.028,
      -2.198, -2.365, -2.536, -2.7, -2.873, -3.04, -3.21, -3.375, -3.548, -3.712,
      -3.884, -4.05, -4.221, -4.385, -4.558, -4.72, -4.892, -5.057, -5.229, -5.391,
      -5.565, -5.726, -5.898, -6.061, -7.063, -8.059, -9.06, -9.885, -11.032, -12.006,
      -12.974, -13.93, -18.889, -24.897,
    ],
    horizontalFov: 360, pointsPerSecond: 1_152_000, rate: 10, minRange: 0.3, maxRange: 200,
  },
  'solid-state-120': {
    description: 'A forward solid-state unit with the Hesai AT128 data sheet\'s figures: 128 channels over 25.4 deg '
      + '(0.2 deg apart), 120 deg wide, 1,536,000 points/s single return at 10 Hz (1200 columns, 0.1 deg); range 200 m' + '; beam divergence and two-echo range resolution: not found in the sources consulted (sub_rays > 1 needs beam.divergence; range_resolution defaults to 1 m)',
    elevations: uniform(-12.5, 12.9, 128),
    horizontalFov: 120, pointsPerSecond: 1_536_000, rate: 10, minRange: 0.5, maxRange: 200,
  },
};
