/**
 * Child process of gpuCamera.test.ts: cameras on the bundled town among moving actors of every
 * kind, each drawn by the CPU's rasteriser (the tiles, on this thread) and by the GPU's
 * (Camera.useGpu), compared pixel by pixel, their RGB images too (both anti-aliased by corner
 * samples, the GPU's drawn there as well). Prints one JSON
 * line: per camera, the statistics below; and a crowd's (CrowdStats).
 *
 * A pixel is at an edge when the CPU's image changes surface within one pixel of it (another
 * instance or class, or nothing, among its eight neighbours; or its inverse depth leaves the
 * plane of its neighbours along a row or column, by 0.2 %): there the two rasterisers' float32
 * and float64 coverage of a triangle's border may rightly part.
 */
import { GpuRaycaster } from '../../../src/raycast/gpu/GpuRaycaster.js';
import { RaycastPool } from '../../../src/raycast/RaycastPool.js';
import { Camera } from '../../../src/sensors/camera/Camera.js';
import { cameraConfig, type CameraConfig } from '../../../src/sensors/CameraConfig.js';
import { StaticActors } from '../../../src/sim/StaticActors.js';
import type { ActorState } from '../../../src/sim/WorldState.js';
import { actor, DEG, images, state, townWithStreetActors } from '../../sensors/cameraHelpers.js';

export interface CameraStats {
  pixels: number;
  /** Pixels the CPU sees something at. */
  hits: number;
  edges: number;
  /** Off-edge pixels whose hit or miss, class or instance differ. */
  idMismatch: number;
  /** Off-edge pixels of the same class and instance on both, compared in depth. */
  depthCompared: number;
  /** Those more than 1 mm apart: a pixel through the crack between two triangles of a wall, where float32 vertices leave one (it sees the wall behind). */
  depthOver1mm: number;
  /** The 99.9th percentile and the largest of their depth differences (m). */
  depthErrorP999: number;
  maxDepthError: number;
  /** Mean absolute difference of the GPU camera's RGB from the CPU camera's (both anti-aliased by their corner samples), over every pixel, in 8-bit levels; and the share of pixels more than 8 levels apart in some channel. */
  rgbMeanDifference: number;
  rgbOver8: number;
  /** Instances seen (the scene is a real test: actors in view). */
  instances: number;
  /** Whether the GPU camera's every output is byte for byte the same with its tiles on a pool of 1 and 2 workers as on this thread alone. */
  sameOnPools: boolean;
}

export interface CrowdStats {
  /** Boxes the CPU camera measured. */
  boxes: number;
  pixels: number;
  /** Pixels whose instance differs between the CPU's render and the GPU's. */
  differing: number;
}

const { network, roadside, world, actors: street } = townWithStreetActors(['car', 'van', 'truck', 'bus', 'cyclist', 'pedestrian', 'car', 'cone'], 2);
const actors: ActorState[] = street.map((a) => ({ ...a, velocity: [3, 1, 0] }));
const ego = network.lanePose('6', -1, 3);
const parent = { ...actor('ego', 1, 'car', ego.x, ego.y, ego.heading, ego.z), velocity: [8 * Math.cos(ego.heading), 8 * Math.sin(ego.heading), 0] };
actors.push(parent, ...new StaticActors(roadside.parkedCars, actors.length + 2, new Set()).states);
const mount = { x: 1, y: 0, z: 1.6, roll: 0, pitch: 3 * DEG, yaw: 0 };
const cameras: Record<string, CameraConfig> = {
  pinhole: cameraConfig({ width: 200, height: 112, fov: 90 * DEG, mount }),
  distorted: cameraConfig({ width: 160, height: 90, fov: 100 * DEG, mount, distortion: { k1: -0.3, k2: 0.1, k3: 0, p1: 0.001, p2: -0.002 } }),
  fisheye: cameraConfig({ width: 160, height: 128, fov: 190 * DEG, model: 'fisheye', mount }),
  'rolling shutter': cameraConfig({ width: 160, height: 90, fov: 90 * DEG, mount, rollingShutter: { readoutTime: 0.03, rowsPerBand: 8 } }),
  palette: cameraConfig({ width: 120, height: 68, fov: 90 * DEG, mount, shading: 'palette' }),
  'motion blur': cameraConfig({ width: 120, height: 68, fov: 90 * DEG, mount, motionBlur: { samples: 3 }, exposure: { shutter: 0.004, iso: 100, fNumber: 8 } }),
};

const gpu = await GpuRaycaster.open(world.scene);
/** A rolling-shutter exposure read over 10 ms steps, the actors moving: every band as the world was then. */
const readOut = (camera: Camera): ReturnType<Camera['capture']> => {
  const at = (k: number): ActorState[] => actors.map((a) => ({ ...a, pose: { ...a.pose, p: [a.pose.p[0] + a.velocity[0] * 0.01 * k, a.pose.p[1] + a.velocity[1] * 0.01 * k, a.pose.p[2]] } }));
  const own = (list: ActorState[]): ActorState => list.find((a) => a.id === parent.id)!;
  for (let k = 0; ; k++) {
    world.update(state(at(k + 0.5)));
    const frame = camera.advance(world, own(at(k)), own(at(k + 1)), k * 10_000_000, (k + 1) * 10_000_000);
    if (frame) return frame;
  }
};
const shoot = (config: CameraConfig, kind: 'cpu' | 'gpu'): ReturnType<typeof images> => {
  const camera = new Camera(config);
  if (kind === 'gpu') camera.useGpu(gpu);
  world.update(state(actors));
  const frame = config.rollingShutter ? readOut(camera) : camera.capture(world, parent, 0);
  camera.dispose();
  return images(frame);
};

const pools = [await RaycastPool.create(world.scene, { workers: 1 }), await RaycastPool.create(world.scene, { workers: 2 })];
const bytes = (i: ReturnType<typeof images>): Buffer => Buffer.concat([i.rgb!, i.depth, i.semantic, i.instance, i.boxes].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
const out: Record<string, CameraStats> = {};
for (const [name, config] of Object.entries(cameras)) {
  const cpu = shoot(config, 'cpu'), onGpu = shoot(config, 'gpu');
  const sameOnPools = pools.every((pool) => {
    world.scene.usePool(pool);
    const pooled = shoot(config, 'gpu');
    world.scene.usePool(undefined);
    return bytes(pooled).equals(bytes(onGpu));
  });
  const { width, height } = config;
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= width || y >= height ? -1 : y * width + x);
  // Inverse depth is affine over a plane seen by a pinhole: its second difference along a row or a column leaves the plane.
  const bends = (i: number, j: number, k: number): boolean => {
    if (j < 0 || k < 0) return false;
    const a = cpu.depth[j], b = cpu.depth[i], c = cpu.depth[k];
    if (a === 0 || c === 0) return true;
    return Math.abs(1 / a + 1 / c - 2 / b) > 2e-3 / b;
  };
  const edge = (i: number): boolean => {
    const u = i % width, v = (i / width) | 0;
    for (let dv = -1; dv <= 1; dv++) {
      for (let du = -1; du <= 1; du++) {
        const j = at(u + du, v + dv);
        if (j < 0) continue;
        if (cpu.instance[j] !== cpu.instance[i] || cpu.semantic[j] !== cpu.semantic[i] || (cpu.depth[j] === 0) !== (cpu.depth[i] === 0)) return true;
      }
    }
    return cpu.depth[i] > 0 && (bends(i, at(u - 1, v), at(u + 1, v)) || bends(i, at(u, v - 1), at(u, v + 1)));
  };
  const s: CameraStats = {
    pixels: width * height, hits: 0, edges: 0, idMismatch: 0, depthCompared: 0, depthOver1mm: 0, depthErrorP999: 0, maxDepthError: 0, rgbMeanDifference: 0, rgbOver8: 0,
    instances: new Set(cpu.instance).size - 1, sameOnPools,
  };
  let rgbSum = 0;
  const errors: number[] = [];
  for (let i = 0; i < width * height; i++) {
    if (cpu.depth[i] > 0) s.hits++;
    if (edge(i)) {
      s.edges++;
      continue;
    }
    const hit = cpu.depth[i] > 0, gpuHit = onGpu.depth[i] > 0;
    if (hit !== gpuHit || cpu.instance[i] !== onGpu.instance[i] || cpu.semantic[i] !== onGpu.semantic[i]) s.idMismatch++;
    else if (hit) errors.push(Math.abs(cpu.depth[i] - onGpu.depth[i]));
  }
  let over8 = 0;
  for (let i = 0; i < width * height; i++) {
    let most = 0;
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(onGpu.rgb![i * 3 + c] - cpu.rgb![i * 3 + c]);
      rgbSum += d;
      most = Math.max(most, d);
    }
    if (most > 8) over8++;
  }
  s.rgbMeanDifference = rgbSum / (3 * width * height);
  s.rgbOver8 = over8 / (width * height);
  errors.sort((a, b) => a - b);
  s.depthCompared = errors.length;
  s.depthOver1mm = errors.filter((e) => e > 1e-3).length;
  s.depthErrorP999 = errors[Math.floor(0.999 * (errors.length - 1))];
  s.maxDepthError = errors[errors.length - 1];
  out[name] = s;
}
/**
 * A crowd: 90 cones in a grid ahead, more boxed actors in view than a camera's tiles first make
 * room for (64), so the image is drawn again on larger arrays: the GPU's render with it.
 */
const crowd = (): CrowdStats => {
  const c = Math.cos(ego.heading), s = Math.sin(ego.heading);
  const cones: ActorState[] = [parent];
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < 9; j++) {
      const f = 6 + i * 2.5, l = (j - 4) * 1.2;
      cones.push(actor(`cone${i}_${j}`, 100 + i * 9 + j, 'cone', ego.x + c * f - s * l, ego.y + s * f + c * l, 0, ego.z));
    }
  }
  const config = cameraConfig({ width: 320, height: 180, fov: 90 * DEG, mount: { ...mount, pitch: 8 * DEG } });
  const take = (onGpu: boolean): ReturnType<Camera['capture']> => {
    const camera = new Camera(config);
    if (onGpu) camera.useGpu(gpu);
    world.update(state(cones));
    const frame = camera.capture(world, parent, 0);
    camera.dispose();
    return frame;
  };
  const cpu = take(false), onGpu = take(true);
  const a = images(cpu).instance, b = images(onGpu).instance;
  let differing = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++;
  return { boxes: cpu.fields.box_count as number, pixels: a.length, differing };
};
const crowdStats = crowd();
gpu.close();
for (const pool of pools) await pool.close();
console.log(JSON.stringify({ cameras: out, crowd: crowdStats }));
