// A generated town for the raycast benchmark: a tessellated ground grid with streets every
// BLOCK metres, ~400 buildings with one ring of facade quads per storey, ~200 cars parked and
// driving along the streets (instances of one car model), and a 64 x 2048 LiDAR pattern from a
// car in the middle of a street. Seeded: the same seed gives the same scene.
import { MeshBuilder } from '../dist/core/MeshBuilder.js';
import { Random } from '../dist/core/Random.js';
import { classId } from '../dist/core/semantic.js';

const SIZE = 800; // m, the town is [-SIZE/2, SIZE/2]^2
const BLOCK = 80; // street spacing
const STREET = 14; // street width
const GROUND_CELLS = 260; // 260 x 260 cells -> 135k triangles

/** A building whose four walls are split into storeys (and bays along each wall). */
function building(mesh, cx, cy, sx, sy, height, yaw, cls) {
  const c = Math.cos(yaw), s = Math.sin(yaw);
  const at = (u, v, z) => [cx + c * u - s * v, cy + s * u + c * v, z];
  const storeys = Math.max(1, Math.round(height / 3));
  const corners = [[-sx / 2, -sy / 2], [sx / 2, -sy / 2], [sx / 2, sy / 2], [-sx / 2, sy / 2]];
  for (let w = 0; w < 4; w++) {
    const [u0, v0] = corners[w];
    const [u1, v1] = corners[(w + 1) % 4];
    const bays = Math.max(1, Math.round(Math.hypot(u1 - u0, v1 - v0) / 6));
    for (let k = 0; k < storeys; k++) {
      const z0 = (height * k) / storeys, z1 = (height * (k + 1)) / storeys;
      for (let b = 0; b < bays; b++) {
        const a0 = b / bays, a1 = (b + 1) / bays;
        const p = (a, z) => at(u0 + (u1 - u0) * a, v0 + (v1 - v0) * a, z);
        mesh.quad(p(a0, z0), p(a1, z0), p(a1, z1), p(a0, z1), cls);
      }
    }
  }
  mesh.quad(at(-sx / 2, -sy / 2, height), at(sx / 2, -sy / 2, height), at(sx / 2, sy / 2, height), at(-sx / 2, sy / 2, height), cls);
}

/** The car model, in its body frame (x forward, z up, origin on the ground). */
export function carModel() {
  const mesh = new MeshBuilder();
  const cls = classId('vehicle');
  mesh.box([0, 0, 0.65], [4.6, 1.85, 0.7], 0, cls);
  mesh.box([-0.2, 0, 1.25], [2.4, 1.65, 0.5], 0, cls);
  for (const x of [-1.4, 1.4]) for (const y of [-0.77, 0.77]) mesh.box([x, y, 0.31], [0.62, 0.3, 0.62], 0, cls);
  return mesh;
}

export function townScene(seed = 1) {
  const random = new Random(seed);
  const mesh = new MeshBuilder();
  const h = SIZE / 2;
  const cell = SIZE / GROUND_CELLS;
  const road = classId('road'), terrain = classId('terrain');
  const isStreet = (x) => {
    const m = ((x + h) % BLOCK + BLOCK) % BLOCK;
    return m < STREET / 2 || m > BLOCK - STREET / 2;
  };
  for (let i = 0; i < GROUND_CELLS; i++) {
    for (let j = 0; j < GROUND_CELLS; j++) {
      const x0 = -h + i * cell, y0 = -h + j * cell;
      const street = isStreet(x0 + cell / 2) || isStreet(y0 + cell / 2);
      mesh.quad([x0, y0, 0], [x0 + cell, y0, 0], [x0 + cell, y0 + cell, 0], [x0, y0 + cell, 0], street ? road : terrain);
    }
  }
  // Buildings: a few per block, inside the block away from the streets.
  const cls = classId('building');
  let buildings = 0;
  const blocks = SIZE / BLOCK;
  for (let bi = 0; bi < blocks; bi++) {
    for (let bj = 0; bj < blocks; bj++) {
      const x0 = -h + bi * BLOCK + STREET / 2 + 2, y0 = -h + bj * BLOCK + STREET / 2 + 2;
      const inner = BLOCK - STREET - 4;
      for (const [qx, qy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const sx = random.uniform(14, inner / 2 - 2), sy = random.uniform(14, inner / 2 - 2);
        const cx = x0 + qx * inner / 2 + inner / 4, cy = y0 + qy * inner / 2 + inner / 4;
        building(mesh, cx, cy, sx, sy, random.uniform(6, 36), random.uniform(-0.05, 0.05), cls);
        buildings++;
      }
    }
  }
  // Cars along the streets (x-parallel streets at y = -h + k * BLOCK), in lanes at +-3.5 m.
  const cars = [];
  for (let n = 0; n < 200; n++) {
    const k = random.int(1, blocks - 1);
    const along = random.uniform(-h + 10, h - 10);
    const lane = random.next() < 0.5 ? -3.5 : 3.5;
    const yaw = (lane > 0 ? Math.PI : 0) + random.uniform(-0.05, 0.05);
    const onX = random.next() < 0.5;
    const position = onX ? [along, -h + k * BLOCK + lane, 0] : [-h + k * BLOCK + lane, along, 0];
    const heading = onX ? yaw : yaw + Math.PI / 2;
    cars.push({ position, quaternion: [0, 0, Math.sin(heading / 2), Math.cos(heading / 2)], instanceId: n + 1 });
  }
  return { mesh, cars, buildings };
}

/** 64 channels from +2 to -24.8 degrees, 2048 columns, from a sensor 1.9 m above a street. */
export function lidarPattern(channels = 64, columns = 2048) {
  const count = channels * columns;
  const origins = new Float32Array(count * 3);
  const directions = new Float32Array(count * 3);
  const sensor = [3, -400 + 4 * 80 - 1.75, 1.9];
  for (let c = 0; c < columns; c++) {
    const az = (2 * Math.PI * c) / columns;
    for (let k = 0; k < channels; k++) {
      const el = ((2 - (26.8 * k) / (channels - 1)) * Math.PI) / 180;
      const i = c * channels + k;
      origins.set(sensor, i * 3);
      directions.set([Math.cos(el) * Math.cos(az), Math.cos(el) * Math.sin(az), Math.sin(el)], i * 3);
    }
  }
  return { origins, directions, count, tMin: 0.5, tMax: 120 };
}
