/**
 * Child process of gpuAgreement.test.ts: a small town (a tiled ground, buildings, poles) with
 * moving cars, swept by a LiDAR and scanned by a radar for three steps. Every batch the two
 * sensors cast (their transmission passes and the radar's bounces included) is cast on the
 * CPU kernel and on the GPU, and compared ray by ray. Prints one JSON line of statistics.
 *
 * A ray on which the backends disagree is checked for being at an edge: eight copies of it,
 * turned by 2 mm at its range, are cast on the CPU; if those do not all meet the triangle the
 * ray meets, the ray passes within 2 mm of a triangle edge, where float32 and float64 may
 * rightly part (a ray grazing a building's corner meets one wall or the other).
 */
import { MeshBuilder } from '../../../src/core/MeshBuilder.js';
import { Random } from '../../../src/core/Random.js';
import { classId } from '../../../src/core/semantic.js';
import { GpuRaycaster } from '../../../src/raycast/gpu/GpuRaycaster.js';
import { createHitBuffer, type CastDelegate, type CastOptions, type HitBuffer, type RaycastScene, type RayBatch } from '../../../src/raycast/RaycastScene.js';
import { Lidar } from '../../../src/sensors/Lidar.js';
import type { LidarConfig } from '../../../src/sensors/LidarConfig.js';
import { Radar } from '../../../src/sensors/Radar.js';
import type { RadarConfig } from '../../../src/sensors/RadarConfig.js';
import type { ActorState } from '../../../src/sim/WorldState.js';
import { World } from '../../../src/world/World.js';
import { car, sensorConfig } from '../../sensors/radarScene.js';

const EDGE_OFFSET = 0.002;

export interface Stats {
  rays: number;
  hits: number;
  /** Rays hit on one backend and missed on the other. */
  hitMismatch: number;
  /** Rays whose hit/miss, class, instance or range (over 1 mm) differ and are not at an edge. */
  offEdgeDisagreements: number;
  /** Rays whose class or instance differ. */
  idMismatch: number;
  /** Rays of the same instance and class more than 1 mm apart (another triangle: a building's corner). */
  rangeMismatch: number;
  /** Largest range difference over rays that hit the same instance and class on both, edge rays aside. */
  maxRangeError: number;
  /** Smallest dot product of the normals over those rays (on the same triangle). */
  minNormalDot: number;
  /** Rays of the same material whose reported reflectivity differs (the table is the same). */
  reflectivityMismatch: number;
  examples: string[];
}

const newStats = (): Stats => ({ rays: 0, hits: 0, hitMismatch: 0, offEdgeDisagreements: 0, idMismatch: 0, rangeMismatch: 0, maxRangeError: 0, minNormalDot: 1, reflectivityMismatch: 0, examples: [] });

class Comparer implements CastDelegate {
  stats = newStats();
  constructor(private readonly scene: RaycastScene, private readonly gpu: GpuRaycaster) {}

  cast(rays: RayBatch, hits: HitBuffer, options: CastOptions = {}): void {
    const first = options.first ?? 0;
    const end = options.end ?? rays.count;
    // The CPU's hits go to the sensor, so its frames are the CPU's whatever the GPU says.
    this.scene.cast(rays, hits, options);
    const gpu = createHitBuffer(rays.count);
    this.gpu.cast(rays, gpu, options);
    const s = this.stats;
    for (let i = first; i < end; i++) {
      s.rays++;
      const cpuHit = hits.distance[i] !== Infinity, gpuHit = gpu.distance[i] !== Infinity;
      if (cpuHit) s.hits++;
      const sameIds = hits.instanceId[i] === gpu.instanceId[i] && hits.classId[i] === gpu.classId[i] && hits.materialId[i] === gpu.materialId[i];
      const rangeError = cpuHit && gpuHit ? Math.abs(hits.distance[i] - gpu.distance[i]) : 0;
      if (cpuHit === gpuHit && sameIds && rangeError <= 1e-3) {
        if (cpuHit) {
          s.maxRangeError = Math.max(s.maxRangeError, rangeError);
          const dot = hits.normal[i * 3] * gpu.normal[i * 3] + hits.normal[i * 3 + 1] * gpu.normal[i * 3 + 1] + hits.normal[i * 3 + 2] * gpu.normal[i * 3 + 2];
          // Two triangles at the same range (a shared edge) may face apart; the ids agree.
          if (hits.triangleId[i] === gpu.triangleId[i]) s.minNormalDot = Math.min(s.minNormalDot, dot);
          if (hits.reflectivity[i] !== gpu.reflectivity[i]) s.reflectivityMismatch++;
        }
        continue;
      }
      if (cpuHit !== gpuHit) s.hitMismatch++;
      else if (!sameIds) s.idMismatch++;
      else s.rangeMismatch++;
      if (!this.atEdge(rays, hits, gpu, i, options.ignoreInstanceId)) {
        s.offEdgeDisagreements++;
        s.maxRangeError = Math.max(s.maxRangeError, rangeError);
        if (s.examples.length < 5) s.examples.push(`ray ${i}: cpu ${hits.distance[i]} ${hits.instanceId[i]}/${hits.classId[i]}, gpu ${gpu.distance[i]} ${gpu.instanceId[i]}/${gpu.classId[i]}`);
      }
    }
  }

  /**
   * Whether ray i passes within EDGE_OFFSET (at its range) of a triangle edge: eight copies of
   * it turned that far around it, cast on the CPU, do not all meet the triangle (or the
   * nothing) the ray itself meets on the CPU. The GPU's answer plays no part in the verdict.
   */
  private atEdge(rays: RayBatch, cpu: HitBuffer, gpu: HitBuffer, i: number, ignoreInstanceId: number | undefined): boolean {
    const range = Math.min(cpu.distance[i], gpu.distance[i]);
    const angle = EDGE_OFFSET / Math.max(range, 1);
    const d = [rays.directions[i * 3], rays.directions[i * 3 + 1], rays.directions[i * 3 + 2]];
    // Two unit vectors across the ray.
    const helper = Math.abs(d[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
    const u = normalize(cross(d, helper));
    const v = cross(d, u);
    const count = 8;
    const batch: RayBatch = { origins: new Float32Array(count * 3), directions: new Float32Array(count * 3), count, tMin: rays.tMin, tMax: rays.tMax };
    for (let k = 0; k < count; k++) {
      const a = Math.cos((2 * Math.PI * k) / count), b = Math.sin((2 * Math.PI * k) / count);
      batch.origins.set(rays.origins.subarray(i * 3, i * 3 + 3), k * 3);
      batch.directions.set(normalize([0, 1, 2].map((c) => d[c] + angle * (a * u[c] + b * v[c]))), k * 3);
    }
    const around = createHitBuffer(count);
    this.scene.cast(batch, around, { ignoreInstanceId });
    const triangle = (h: HitBuffer, j: number): string => `${h.instanceId[j]}/${h.triangleId[j]}`;
    const own = triangle(cpu, i);
    for (let k = 0; k < count; k++) if (triangle(around, k) !== own) return true;
    return false;
  }
}

function cross(a: number[], b: number[]): number[] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
function normalize(a: number[]): number[] {
  const n = Math.hypot(a[0], a[1], a[2]);
  return a.map((x) => x / n);
}

/** About 3000 triangles: a ground of 25 m tiles (no one huge triangle), buildings, poles. */
function town(): MeshBuilder {
  const mesh = new MeshBuilder();
  for (let x = -200; x < 200; x += 25) {
    for (let y = -200; y < 200; y += 25) mesh.quad([x, y, 0], [x + 25, y, 0], [x + 25, y + 25, 0], [x, y + 25, 0], classId(Math.abs(y + 12.5) < 10 ? 'road' : 'sidewalk'));
  }
  for (let k = 0; k < 24; k++) {
    const x = -150 + (k % 12) * 27, y = k < 12 ? 25 : -25;
    mesh.box([x, y, 6 + (k % 4) * 2], [16, 10, 12 + (k % 4) * 4], (k * 7 * Math.PI) / 180, classId('building'));
  }
  for (let k = 0; k < 40; k++) mesh.box([-190 + k * 10, k % 2 ? 12 : -12, 3], [0.25, 0.25, 6], 0, classId('pole'));
  return mesh;
}

function actorsAt(t: number): ActorState[] {
  return [
    car('ego', 1, 5 * t, -3.5, 0, [5, 0, 0]),
    car('lead', 2, 18 + 8 * t, -3.5, 0, [8, 0, 0]),
    car('oncoming', 3, 40 - 12 * t, 3.5, Math.PI, [-12, 0, 0]),
    car('crossing', 4, 12, -20 + 6 * t, Math.PI / 2, [0, 6, 0]),
    car('parked', 5, -15, 7, 0.1, [0, 0, 0]),
  ];
}

const world = World.fromMesh(town());
const gpu = await GpuRaycaster.open(world.scene);
const lidarConfig = sensorConfig<LidarConfig>('type: lidar\nparent: ego\nmount: { z: 1.9 }\nrate: 10\nchannels: 32\nfov: { lower: -25, upper: 5 }\nhorizontal: { resolution: 0.4 }\nrange: { max: 120 }\nmotion_distortion: false', 'top');
const radarConfig = sensorConfig<RadarConfig>('type: radar\nparent: ego\npreset: long-range\nmount: { x: 2, z: 0.5 }', 'front');
const lidar = new Lidar(lidarConfig, new Random(1));
const radar = new Radar(radarConfig, new Random(1));
const lidarComparer = new Comparer(world.scene, gpu);
const radarComparer = new Comparer(world.scene, gpu);
for (let step = 0; step < 3; step++) {
  const t = step * 0.1;
  const state = { tick: step, t_ns: Math.round(t * 1e9), actors: actorsAt(t) };
  world.update(state);
  const ego = state.actors[0];
  world.scene.useRangingCaster(lidarComparer);
  lidar.capture(world, ego, state.t_ns, state.actors);
  world.scene.useRangingCaster(radarComparer);
  radar.capture(world, ego, state, state.t_ns);
}
gpu.close();
console.log(JSON.stringify({ adapter: gpu.adapter.name, lidar: lidarComparer.stats, radar: radarComparer.stats }));
