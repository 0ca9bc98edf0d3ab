/** Rays in one batch: unit directions, one [tMin, tMax) interval for all. */
export interface RayBatch {
  origins: Float32Array;
  directions: Float32Array;
  count: number;
  tMin: number;
  tMax: number;
}

/** Closest hit per ray. A miss has distance Infinity, instance and triangle MISS, class and material 0. */
export interface HitBuffer {
  distance: Float32Array;
  /** World-frame unit normal facing the ray, 3 per ray. */
  normal: Float32Array;
  instanceId: Uint32Array;
  classId: Uint8Array;
  /** Material id of the surface hit (core/materials.ts). */
  materialId: Uint8Array;
  triangleId: Uint32Array;
  /** Diffuse 905 nm reflectivity of the hit's material (NIR_BY_MATERIAL); 0 on a miss. */
  reflectivity: Float32Array;
}

export const MISS = 0xffffffff;

export function createHitBuffer(count: number): HitBuffer {
  return {
    distance: new Float32Array(count),
    normal: new Float32Array(count * 3),
    instanceId: new Uint32Array(count),
    classId: new Uint8Array(count),
    materialId: new Uint8Array(count),
    triangleId: new Uint32Array(count),
    reflectivity: new Float32Array(count),
  };
}

/** Options of a cast: the rays [first, end) of the batch, and an instance the rays do not see. */
export interface CastOptions {
  first?: number;
  end?: number;
  /** Hits on this instance are skipped (a sensor does not see the vehicle it is mounted on). */
  ignoreInstanceId?: number;
}
