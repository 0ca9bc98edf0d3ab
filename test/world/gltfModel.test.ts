import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTOR_KINDS } from '../../src/core/actorKinds.js';
import { materialId } from '../../src/core/materials.js';
import { fieldArray } from '../../src/core/frame.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { rotationMatrix } from '../../src/core/pose.js';
import { Random } from '../../src/core/Random.js';
import { classId } from '../../src/core/semantic.js';
import { Lidar } from '../../src/sensors/Lidar.js';
import type { LidarConfig } from '../../src/sensors/Rig.js';
import type { ActorState } from '../../src/sim/WorldState.js';
import { loadGltfModel } from '../../src/world/GltfModel.js';
import { World } from '../../src/world/World.js';

const FIXTURES = resolve('test/fixtures/gltf');
const car = ACTOR_KINDS.car;

interface GltfNodeJson { name?: string; mesh?: number; children?: number[]; matrix?: number[]; translation?: number[]; rotation?: number[]; scale?: number[] }
interface GltfJson {
  nodes: GltfNodeJson[];
  meshes: { primitives: { attributes: { POSITION: number } }[] }[];
  accessors: { min: number[]; max: number[] }[];
  scenes: { nodes: number[] }[];
}

/** The JSON chunk of a .glb, read by hand (not through the loader's library). */
function glbJson(file: string): GltfJson {
  const bytes = readFileSync(file);
  return JSON.parse(bytes.subarray(20, 20 + bytes.readUInt32LE(12)).toString('utf8')) as GltfJson;
}

/** Column-major 4x4 of a node: its matrix, or T * R * S. */
function localMatrix(node: GltfNodeJson): number[] {
  if (node.matrix) return node.matrix;
  const [x, y, z, w] = node.rotation ?? [0, 0, 0, 1];
  const [sx, sy, sz] = node.scale ?? [1, 1, 1];
  const [tx, ty, tz] = node.translation ?? [0, 0, 0];
  return [
    (1 - 2 * (y * y + z * z)) * sx, 2 * (x * y + z * w) * sx, 2 * (x * z - y * w) * sx, 0,
    2 * (x * y - z * w) * sy, (1 - 2 * (x * x + z * z)) * sy, 2 * (y * z + x * w) * sy, 0,
    2 * (x * z + y * w) * sz, 2 * (y * z - x * w) * sz, (1 - 2 * (x * x + y * y)) * sz, 0,
    tx, ty, tz, 1,
  ];
}

function multiply(a: number[], b: number[]): number[] {
  const out = new Array<number>(16).fill(0);
  for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) for (let k = 0; k < 4; k++) out[c * 4 + r] += a[k * 4 + r] * b[c * 4 + k];
  return out;
}

/**
 * The model's extent in our frame (x forward = glTF z, y left = glTF x, z up = glTF y), from
 * each mesh's POSITION accessor min/max carried through its node transforms. Exact for these
 * fixtures, whose rotations are quarter turns.
 */
function expectedExtent(file: string): number[] {
  const json = glbJson(file);
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  const visit = (index: number, parent: number[]): void => {
    const node = json.nodes[index];
    const world = multiply(parent, localMatrix(node));
    if (node.mesh !== undefined) {
      for (const primitive of json.meshes[node.mesh].primitives) {
        const { min, max } = json.accessors[primitive.attributes.POSITION];
        for (let corner = 0; corner < 8; corner++) {
          const p = [0, 1, 2].map((a) => ((corner >> a) & 1 ? max[a] : min[a]));
          const g = [0, 1, 2].map((r) => world[r] * p[0] + world[4 + r] * p[1] + world[8 + r] * p[2] + world[12 + r]);
          const ours = [g[2], g[0], g[1]];
          for (let a = 0; a < 3; a++) {
            lo[a] = Math.min(lo[a], ours[a]);
            hi[a] = Math.max(hi[a], ours[a]);
          }
        }
      }
    }
    for (const child of node.children ?? []) visit(child, world);
  };
  const identity = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
  for (const root of json.scenes[0].nodes) visit(root, identity);
  return [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
}

function bounds(mesh: MeshBuilder): { lo: number[]; hi: number[] } {
  const { positions } = mesh.soup();
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < positions.length; i++) {
    lo[i % 3] = Math.min(lo[i % 3], positions[i]);
    hi[i % 3] = Math.max(hi[i % 3], positions[i]);
  }
  return { lo, hi };
}

describe('glTF models', () => {
  for (const name of ['Box.glb', 'test-car.glb']) {
    it(`scales ${name} uniformly into the car's box, standing on the ground, centred on the footprint`, async () => {
      const file = join(FIXTURES, name);
      const extent = expectedExtent(file);
      const scale = Math.min(car.length / extent[0], car.width / extent[1], car.height / extent[2]);
      const mesh = await loadGltfModel(file, car, classId('vehicle'));
      const { lo, hi } = bounds(mesh);
      const size = [car.length, car.width, car.height];
      for (let a = 0; a < 3; a++) {
        expect(hi[a] - lo[a]).toBeCloseTo(extent[a] * scale, 4);
        expect(hi[a] - lo[a]).toBeLessThanOrEqual(size[a] + 1e-4);
      }
      expect((lo[0] + hi[0]) / 2).toBeCloseTo(0, 5);
      expect((lo[1] + hi[1]) / 2).toBeCloseTo(0, 5);
      expect(lo[2]).toBeCloseTo(0, 5);
      // The limiting axis fills the box.
      expect([0, 1, 2].some((a) => Math.abs(hi[a] - lo[a] - size[a]) < 1e-4)).toBe(true);
    });
  }

  it('maps materials by name and by look, and classes by node name and extras.semantic', async () => {
    const mesh = await loadGltfModel(join(FIXTURES, 'test-car.glb'), car, classId('vehicle'));
    const { positions, classes, materials } = mesh.soup();
    const count = (cls: number, material: number): number => classes.filter((c, t) => c === cls && materials[t] === material).length;
    const vehicle = classId('vehicle');
    expect(count(vehicle, materialId('car_paint'))).toBe(12);
    expect(count(vehicle, materialId('car_glass'))).toBe(12);
    expect(count(vehicle, materialId('tyre_rubber'))).toBe(48);
    // "Material.003" says nothing; it is shiny metal, so chrome.
    expect(count(vehicle, materialId('chrome'))).toBe(12);
    expect(count(classId('rider'), materialId('clothing'))).toBe(12);
    // The beacon: extras.semantic, and half see-through, so glass.
    expect(count(classId('static_prop'), materialId('car_glass'))).toBe(12);
    expect(classes.length).toBe(108);
    // The bumper is at the front: glTF +z became our +x.
    const { hi } = bounds(mesh);
    const chrome = [...materials.keys()].filter((t) => materials[t] === materialId('chrome'));
    expect(Math.max(...chrome.flatMap((t) => [0, 1, 2].map((v) => positions[t * 9 + v * 3])))).toBeCloseTo(hi[0], 5);
  });
});

// The built CLI, as a user runs it (`npm test` builds first).
const CLI = resolve('dist/cli/main.js');

describe('glTF models in a scenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'roadcast-gltf-'));
  const good = readFileSync(join(FIXTURES, 'test-car.glb'));
  writeFileSync(join(dir, 'car.glb'), good);
  const scenario = (model: string, extra = ''): string => {
    const file = join(dir, `scenario-${model.replace(/\W/g, '_')}-${extra.length}.yaml`);
    writeFileSync(file, [
      'name: models', `map: ${resolve('maps/straight_two_lane.xodr')}`, 'duration: 0.1', 'buildings: 0',
      'models:', `  car: ${model}`, extra,
      'actors:', '  - { id: ego, kind: car, ego: true, road: "1", lane: -1, s: 30, speed: 10 }',
    ].join('\n'));
    return file;
  };
  const check = (file: string): { status: number | null; out: string } => {
    const result = spawnSync(process.execPath, [CLI, 'scenario', 'check', file], { encoding: 'utf8' });
    return { status: result.status, out: result.stdout + result.stderr };
  };

  it('accepts a good model for a kind and one for an actor', () => {
    const result = check(scenario('car.glb', '  actors: { ego: car.glb }'));
    expect(result.out).not.toMatch(/error/i);
    expect(result.status).toBe(0);
  });

  const garbageJson = Buffer.from(good);
  garbageJson.fill(0x7b, 20, 60);
  const broken: [string, Buffer | undefined, RegExp][] = [
    ['truncated.glb', good.subarray(0, good.length - 100), /truncated/],
    ['garbage-json.glb', garbageJson, /JSON chunk is not valid JSON/],
    ['text.glb', Buffer.from('solid cube\n  facet normal 0 0 1\nendsolid\n'), /not a binary glTF/],
    ['missing.glb', undefined, /no such glTF model file/],
  ];
  for (const [name, bytes, message] of broken) {
    it(`refuses ${name} in one line naming the file, without a stack trace`, () => {
      if (bytes) writeFileSync(join(dir, name), bytes);
      const result = check(scenario(name));
      expect(result.status).not.toBe(0);
      const lines = result.out.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(join(dir, name));
      expect(lines[0]).toMatch(message);
      expect(result.out).not.toMatch(/\n\s+at /);
    });
  }

  it('refuses a model for an actor the scenario does not have', () => {
    const result = check(scenario('car.glb', '  actors: { nobody: car.glb }'));
    expect(result.status).not.toBe(0);
    expect(result.out).toMatch(/no actor has the id "nobody"/);
  });
});

describe('a glTF model in the world', () => {
  it('is what the LiDAR sees of its actors: every point inside the box, the node classes, the actor instance', async () => {
    const mesh = await loadGltfModel(join(FIXTURES, 'test-car.glb'), car, classId('vehicle'));
    const ground = new MeshBuilder();
    ground.quad([-60, -60, 0], [60, -60, 0], [60, 60, 0], [-60, 60, 0], classId('road'));
    const world = World.fromMesh(ground, { models: { byKind: new Map([['car', mesh]]), byActor: new Map() } });
    // Two cars of the kind the model dresses, one on each side, turned differently; a van keeps its built-in model.
    const at = (id: string, instanceId: number, kind: 'car' | 'van', x: number, y: number, heading: number): ActorState => ({
      id, instanceId, kind, ego: false, pose: { p: [x, y, 0], q: [0, 0, Math.sin(heading / 2), Math.cos(heading / 2)] }, heading,
      velocity: [0, 0, 0], speed: 0, box: { length: car.length, width: car.width, height: car.height, center: [0, 0, car.height / 2] },
      road: '', lane: 0, s: 0, t: 0,
    });
    const actors = [at('a', 1, 'car', 8, 2, 0.3), at('b', 2, 'car', -7, -4, 2.2), at('c', 3, 'van', 2, -12, 0)];
    world.update({ tick: 0, t_ns: 0, actors });
    // One rigid part each: the user's model for the cars, and a van's own parts for the van.
    expect(world.partsOf(1)).toHaveLength(1);
    expect(world.partsOf(1)[0].mesh.triangleCount).toBe(108);
    const config: LidarConfig = {
      name: 'test', type: 'lidar', parent: 'ego', mount: { x: 0, y: 0, z: 1.2, roll: 0, pitch: 0, yaw: 0 },
      rateHz: 10, elevations: Array.from({ length: 64 }, (_, i) => ((-25 + 0.45 * i) * Math.PI) / 180),
      horizontalFov: 2 * Math.PI, horizontalResolution: (0.2 * Math.PI) / 180, minRange: 0.5, maxRange: 80,
      rangeNoiseStd: 0, dropoutBase: 0, minSignal: 0, noReturn: 'drop', motionDistortion: false,
    };
    const ego = { id: 'ego', instanceId: 99, kind: 'car', ego: true, pose: { p: [0, 0, 0], q: [0, 0, 0, 1] } } as unknown as ActorState;
    const frame = new Lidar(config, new Random(1)).capture(world, ego, 0);
    const points = fieldArray(frame.data.points) as Float32Array;
    const semantic = fieldArray(frame.data.semantic) as Uint8Array;
    const instance = fieldArray(frame.data.instance) as Uint32Array;
    const r = rotationMatrix(frame.pose.q);
    const classesOf = new Map<number, Set<number>>();
    let worst = -Infinity;
    for (let i = 0; i < instance.length; i++) {
      const id = instance[i];
      if (id === 0 || id === 3) continue;
      const actor = actors[id - 1];
      const p = [0, 1, 2].map((k) => frame.pose.p[k] + r[k * 3] * points[i * 4] + r[k * 3 + 1] * points[i * 4 + 1] + r[k * 3 + 2] * points[i * 4 + 2]);
      const dx = p[0] - actor.pose.p[0], dy = p[1] - actor.pose.p[1];
      const c = Math.cos(actor.heading), s = Math.sin(actor.heading);
      const local = [c * dx + s * dy, -s * dx + c * dy, p[2]];
      worst = Math.max(worst, Math.abs(local[0]) - car.length / 2, Math.abs(local[1]) - car.width / 2, local[2] - car.height, -local[2]);
      if (!classesOf.has(id)) classesOf.set(id, new Set());
      classesOf.get(id)!.add(semantic[i]);
    }
    expect(worst).toBeLessThan(2e-3);
    for (const id of [1, 2]) {
      // The body is vehicle; the driver node (seen through the glass or above the doors) is rider.
      expect(classesOf.get(id)?.has(classId('vehicle'))).toBe(true);
      expect([...(classesOf.get(id) ?? [])].every((cls) => [classId('vehicle'), classId('rider'), classId('static_prop')].includes(cls))).toBe(true);
    }
  });
});
