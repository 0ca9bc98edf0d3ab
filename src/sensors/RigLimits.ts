/**
 * The largest rigs roadcast accepts, checked when a rig is read (each an error naming the line):
 * a few times the densest real sensors, and small enough that a sensor's buffers always fit in
 * memory (a 1e-9° LiDAR step or a 16384² camera would be refused here, not fail mid-run).
 */
export const RIG_LIMITS = {
  /** Sensors in one rig. */
  sensors: 64,
  /** Rays in one LiDAR sweep, every sub-ray of a divergent beam counted (the Ouster OS1-128 casts 262 144 beams). */
  lidarRaysPerSweep: 4_194_304,
  /** Columns of one LiDAR sweep (a 360° sweep at 0.0055°). */
  lidarColumns: 65_536,
  /** Pixels of one camera image (4096 x 4096), and pixels along either side. */
  cameraPixels: 16_777_216,
  cameraSide: 8192,
  /** Rays of one radar scan (4 per azimuth cell, one per degree of elevation). */
  radarRays: 1_048_576,
  /** Detections a radar reports, and false alarms it adds per scan on average. */
  radarDetections: 65_536,
  radarFalseAlarms: 1000,
} as const;
