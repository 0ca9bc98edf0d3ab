import { fieldArray, type Frame } from '../../src/core/frame.js';
import type { ActorKindName } from '../../src/core/actorKinds.js';
import { ACTOR_KINDS } from '../../src/core/actorKinds.js';
import type { ActorState, WorldState } from '../../src/sim/WorldState.js';
import { Random } from '../../src/core/Random.js';
import { readOpenDrive } from '../../src/map/OpenDriveReader.js';
import { planRoadside } from '../../src/world/RoadsideDressing.js';
import { World } from '../../src/world/World.js';

export const DEG = Math.PI / 180;

/** An actor state at (x, y, z) with a yaw, as the simulation would hand it to the sensors. */
export function actor(id: string, instanceId: number, kind: ActorKindName, x: number, y: number, yaw = 0, z = 0): ActorState {
  const k = ACTOR_KINDS[kind];
  return {
    id, instanceId, kind, ego: false,
    pose: { p: [x, y, z], q: [0, 0, Math.sin(yaw / 2), Math.cos(yaw / 2)] },
    heading: yaw, velocity: [0, 0, 0], speed: 0,
    box: { length: k.length, width: k.width, height: k.height, center: [0, 0, k.height / 2] },
    road: '', lane: 0, s: 0, t: 0,
  };
}

export function state(actors: ActorState[], tNs = 0): WorldState {
  return { tick: 0, t_ns: tNs, actors };
}

export const images = (frame: Frame) => ({
  rgb: frame.data.rgb ? (fieldArray(frame.data.rgb) as Uint8Array) : undefined,
  depth: fieldArray(frame.data.depth) as Float32Array,
  semantic: fieldArray(frame.data.semantic) as Uint8Array,
  instance: fieldArray(frame.data.instance) as Uint32Array,
  boxes: frame.data.boxes2d ? (fieldArray(frame.data.boxes2d) as Float32Array) : new Float32Array(0),
  boxIds: frame.data.boxes2d_instance ? (fieldArray(frame.data.boxes2d_instance) as Uint32Array) : new Uint32Array(0),
});

/**
 * Hand projection for a camera at (0, 0, h) in the world looking along +x with no rotation:
 * optical x = -world y, optical y = -(world z - h), optical z = world x; then a pinhole.
 */
export function projectByHand(p: readonly number[], h: number, fx: number, fy: number, cx: number, cy: number): [number, number] {
  const x = -p[1], y = -(p[2] - h), z = p[0];
  return [cx + (fx * x) / z, cy + (fy * y) / z];
}

/** The 8 corners of an axis-aligned box (centre, size) rotated by yaw about its centre's vertical. */
export function boxCorners(c: readonly number[], size: readonly number[], yaw = 0): number[][] {
  const out: number[][] = [];
  const cs = Math.cos(yaw), sn = Math.sin(yaw);
  for (const sx of [-1, 1]) for (const sy of [-1, 1]) for (const sz of [-1, 1]) {
    const bx = (sx * size[0]) / 2, by = (sy * size[1]) / 2;
    out.push([c[0] + cs * bx - sn * by, c[1] + sn * bx + cs * by, c[2] + (sz * size[2]) / 2]);
  }
  return out;
}

/** Convex hull (monotone chain), counter-clockwise in (u, v) with the usual cross product. */
export function hull(points: number[][]): number[][] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: number[], a: number[], b: number[]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list: number[][]) => {
    const out: number[][] = [];
    for (const q of list) {
      while (out.length >= 2 && cross(out[out.length - 2], out[out.length - 1], q) <= 0) out.pop();
      out.push(q);
    }
    return out.slice(0, -1);
  };
  return [...half(p), ...half([...p].reverse())];
}

/** Signed distance (pixels) from (u, v) to a convex polygon's boundary: positive inside. */
export function insideDistance(poly: number[][], u: number, v: number): number {
  let d = Infinity;
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i], b = poly[(i + 1) % poly.length];
    const ex = b[0] - a[0], ey = b[1] - a[1];
    d = Math.min(d, (ex * (v - a[1]) - ey * (u - a[0])) / Math.hypot(ex, ey));
  }
  return d;
}

/**
 * The bundled town (maps/town.xodr, seeded dressing with 16 buildings) and 24 actors of `kinds`
 * in turn along the streets a camera at road 6 looks down (roads 6, 7, 18, 19, 14, both
 * directions, at seeded s), numbered from `firstInstance`. The parked cars are not included.
 */
export function townWithStreetActors(kinds: readonly ActorKindName[], firstInstance: number) {
  const network = readOpenDrive('maps/town.xodr');
  const roadside = planRoadside(network, 1, { buildings: 16 });
  const world = World.build(network, roadside);
  const random = new Random(3);
  const actors: ActorState[] = [];
  for (let i = 0; i < 24; i++) {
    const road = ['6', '7', '18', '19', '14'][i % 5];
    const r = network.road(road);
    const lane = i % 2 ? 1 : -1;
    const p = network.lanePose(road, lane, 4 + random.next() * (r.length - 8));
    actors.push(actor(`a${i}`, i + firstInstance, kinds[i % kinds.length], p.x, p.y, p.heading + (lane > 0 ? Math.PI : 0), p.z));
  }
  return { network, roadside, world, actors };
}

