/**
 * Child process of gpuSetup.test.ts: five rays whose answers are known by hand, cast on the
 * GPU (and on the CPU kernel, for comparison) in a scene of a ground plane z = 0 in 10 m
 * tiles, a wall in the plane x = 20, and a 2 x 2 m plate model placed upright at (0, 10, 1)
 * turned 90 degrees about z. With `--gc` (node --expose-gc) it casts again after full garbage
 * collections on both threads and much garbage, and reports whether the answers held.
 * Prints one JSON line.
 */
import { MeshBuilder } from '../../../src/core/MeshBuilder.js';
import { classId } from '../../../src/core/semantic.js';
import { collectGpuThreadGarbage, GpuRaycaster } from '../../../src/raycast/gpu/GpuRaycaster.js';
import { buildMeshBvh } from '../../../src/raycast/MeshBvh.js';
import { createHitBuffer, RaycastScene, type HitBuffer, type RayBatch } from '../../../src/raycast/RaycastScene.js';

const mesh = new MeshBuilder();
for (let x = -40; x < 40; x += 10) for (let y = -40; y < 40; y += 10) mesh.quad([x, y, 0], [x + 10, y, 0], [x + 10, y + 10, 0], [x, y + 10, 0], classId('road'));
mesh.quad([20, -40, 0], [20, 40, 0], [20, 40, 30], [20, -40, 30], classId('building'));
const soup = mesh.soup();
const scene = new RaycastScene(buildMeshBvh(soup.positions, soup.classes, soup.materials));
// The plate: the model's plane x = 0, y and z in [-1, 1].
const plate = new MeshBuilder();
plate.quad([0, -1, -1], [0, 1, -1], [0, 1, 1], [0, -1, 1], classId('vehicle'));
const plateSoup = plate.soup();
const model = scene.addModel(buildMeshBvh(plateSoup.positions, plateSoup.classes, plateSoup.materials));
const s = Math.SQRT1_2;
scene.setInstances([{ model, instanceId: 42, position: [0, 10, 1], quaternion: [0, 0, s, s] }]);

// Origins and directions of the five rays.
const rays: [number[], number[]][] = [
  [[1.25, -3.5, 7.5], [0, 0, -1]], // straight down onto the ground: 7.5 m
  [[0, 0, 1], [1, 0, 0]], // at the wall: 20 m
  [[0, 0, 1], [0, 0, 1]], // up: nothing
  [[0, 0, 1], [0, 1, 0]], // at the plate (model x = 0 is world y = 10): 10 m, instance 42
  [[0, 0, 1], [0.6, 0, -0.8]], // down and forward onto the ground: 1 / 0.8 = 1.25 m
];
const batch: RayBatch = { origins: new Float32Array(rays.flatMap((r) => r[0])), directions: new Float32Array(rays.flatMap((r) => r[1])), count: rays.length, tMin: 0.1, tMax: 100 };

const summary = (h: HitBuffer) => Array.from({ length: batch.count }, (_, i) => ({
  distance: h.distance[i] === Infinity ? 'Infinity' : h.distance[i],
  normal: Array.from(h.normal.subarray(i * 3, i * 3 + 3)),
  instanceId: h.instanceId[i],
  classId: h.classId[i],
  materialId: h.materialId[i],
  reflectivity: h.reflectivity[i],
}));

const gpu = await GpuRaycaster.open(scene);
const cpuHits = createHitBuffer(batch.count);
scene.cast(batch, cpuHits);
const gpuHits = createHitBuffer(batch.count);
gpu.cast(batch, gpuHits);
// The plate ignored, as a sensor ignores the vehicle it is mounted on.
const ignoring = createHitBuffer(batch.count);
gpu.cast(batch, ignoring, { ignoreInstanceId: 42 });
const result: Record<string, unknown> = { adapter: gpu.adapter, cpu: summary(cpuHits), gpu: summary(gpuHits), ignoring: summary(ignoring) };

if (process.argv.includes('--gc')) {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const before = JSON.stringify(summary(gpuHits));
  let garbage: unknown[] = [];
  for (let round = 0; round < 5; round++) {
    for (let k = 0; k < 2000; k++) garbage.push(new Float64Array(256), { k });
    garbage = [];
    result.workerCollected = await collectGpuThreadGarbage();
    gc();
    const again = createHitBuffer(batch.count);
    gpu.cast(batch, again);
    if (JSON.stringify(summary(again)) !== before) throw new Error(`round ${round}: the hits changed after a collection`);
  }
  result.survivedGc = true;
}
console.log(JSON.stringify(result));
