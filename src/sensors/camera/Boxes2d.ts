import { actorKind } from '../../core/actorKinds.js';
import { rotationMatrix } from '../../core/pose.js';
import { isLightKind } from '../../map/Signal.js';
import type { PlacedPart, World } from '../../world/World.js';
import type { CameraView } from './CameraView.js';
import type { LensRemap } from './LensRemap.js';
import type { Rasterizer } from './Rasterizer.js';

/** 2D boxes of the actors and signals in one image: rows of x_min, y_min, x_max, y_max, truncation, occlusion. */
export interface Boxes2d {
  boxes: Float32Array;
  instanceIds: Uint32Array;
  classIds: Uint8Array;
  /** Per box: a light's state (SIGNAL_STATE_CODES), 0 for anything else. */
  signalStates: Uint8Array;
}

/** What a 2D box is measured of: an actor, or a signal's head or plate, with its 3D box (centre in its own frame, z up). */
export interface BoxedObject {
  instanceId: number;
  classId: number;
  box: { length: number; width: number; height: number; center?: readonly number[] };
  pose: { p: readonly number[]; q: readonly number[] };
  /** A light's state code (SIGNAL_STATE_CODES); 0 or absent for anything else. */
  signalState?: number;
}

/** The code of a light's state in a camera's `boxes2d_signal_state`: 0 is not a light. */
export const SIGNAL_STATE_CODES: Readonly<Record<string, number>> = { red: 1, amber: 2, green: 3, off: 4, flashing_red: 5, flashing_amber: 6 };

/**
 * What a camera boxes in the world as placed: the actors but the camera's parent (each of its
 * kind's class), then the signal bodies, a light with the state its signal shows.
 */
export function boxedObjects(world: World, parentId: number): BoxedObject[] {
  const out: BoxedObject[] = [];
  for (const a of world.placedState?.actors ?? []) {
    if (a.instanceId !== parentId) out.push({ instanceId: a.instanceId, classId: actorKind(a.kind).semanticClass, box: a.box, pose: a.pose });
  }
  const states = world.placedState?.signals;
  for (const { signal, instanceId, classId, box } of world.signalBodies) {
    out.push({
      instanceId, classId,
      box: { length: box.length, width: box.width, height: box.height, center: [0, 0, 0] },
      pose: { p: box.centre, q: [0, 0, Math.sin(box.facing / 2), Math.cos(box.facing / 2)] },
      signalState: isLightKind(signal.kind) ? SIGNAL_STATE_CODES[states?.[signal.id] ?? 'off'] : 0,
    });
  }
  return out;
}

/**
 * Visible pixels and bounds per instance id over pixels [i0, i1) of an image `width` wide:
 * [id, min col, min row, max col, max row, pixels] each, in order of first sight.
 */
export function instanceStats(instance: Uint32Array, width: number, i0: number, i1: number): number[][] {
  const index = new Map<number, number>();
  const stats: number[][] = [];
  let lastId = 0, last: number[] | undefined;
  for (let i = i0; i < i1; i++) {
    const id = instance[i];
    if (id === 0) continue;
    if (id !== lastId) {
      let k = index.get(id);
      if (k === undefined) {
        k = stats.length;
        index.set(id, k);
        stats.push([id, Infinity, Infinity, -Infinity, -Infinity, 0]);
      }
      lastId = id;
      last = stats[k];
    }
    const s = last!;
    const u = i % width, v = (i - u) / width;
    if (u < s[1]) s[1] = u;
    if (v < s[2]) s[2] = v;
    if (u > s[3]) s[3] = u;
    if (v > s[4]) s[4] = v;
    s[5]++;
  }
  return stats;
}

/** instanceStats of several parts of an image merged (bounds and counts are exact, so the order of parts does not matter). */
export function mergeStats(parts: readonly (readonly number[][])[]): number[][] {
  const byId = new Map<number, number[]>();
  for (const part of parts) {
    for (const s of part) {
      const m = byId.get(s[0]);
      if (!m) {
        byId.set(s[0], [...s]);
        continue;
      }
      m[1] = Math.min(m[1], s[1]); m[2] = Math.min(m[2], s[2]); m[3] = Math.max(m[3], s[3]); m[4] = Math.max(m[4], s[4]); m[5] += s[5];
    }
  }
  return [...byId.values()];
}

const BOX_EDGES = [[0, 1], [1, 3], [3, 2], [2, 0], [4, 5], [5, 7], [7, 6], [6, 4], [0, 4], [1, 5], [2, 6], [3, 7]];

/**
 * Finds every actor and signal body seen in an instance image and measures its 2D box: the tight bounds of
 * its visible pixels (inclusive pixel indices, as KITTI's labels), its truncation (the share
 * of its projected 3D box, in the ideal pinhole image plane, that falls outside the image)
 * and its occlusion (1 - visible pixels / pixels it covers when drawn alone).
 */
export class BoxMeasure {
  /** The image's outline in normalised pinhole coordinates (a convex polygon, counter-clockwise in x right / y down). */
  private readonly imageOutline: number[][];
  private stampCounter = 0;

  constructor(private readonly remap: LensRemap) {
    const { width: w, height: h, lens } = remap;
    if (lens.ideal) {
      const x0 = (-0.5 - lens.cx) / lens.fx, x1 = (w - 0.5 - lens.cx) / lens.fx;
      const y0 = (-0.5 - lens.cy) / lens.fy, y1 = (h - 0.5 - lens.cy) / lens.fy;
      this.imageOutline = convexHull([[x0, y0], [x0, y1], [x1, y1], [x1, y0]]);
    } else {
      // The border's rays, as far from the axis as a pinhole plane allows (85 degrees).
      const points: number[][] = [];
      const ray = new Float64Array(3);
      const minZ = Math.cos((85 * Math.PI) / 180);
      const add = (u: number, v: number): void => {
        lens.unproject(u, v, ray);
        const s = Math.hypot(ray[0], ray[1]);
        const z = Math.max(ray[2], minZ);
        const scale = s > 0 ? Math.sqrt(1 - z * z) / s : 0;
        points.push([(ray[0] * scale) / z, (ray[1] * scale) / z]);
      };
      for (let k = 0; k <= 32; k++) {
        const a = (k / 32) * w - 0.5, b = (k / 32) * h - 0.5;
        add(a, -0.5); add(a, h - 0.5); add(-0.5, b); add(w - 0.5, b);
      }
      this.imageOutline = convexHull(points);
    }
  }

  /**
   * The objects (of `actors`: actors and signal bodies) seen in an instance image, by instance id: [id, min col, min row,
   * max col, max row, visible pixels] each; from `stats` (instanceStats of parts of the image,
   * merged) where the camera's tiles counted them.
   */
  seen(instance: Uint32Array, actors: readonly BoxedObject[], stats?: number[][]): number[][] {
    const all = stats ?? instanceStats(instance, this.remap.width, 0, instance.length);
    all.sort((a, b) => a[0] - b[0]);
    const ids = new Set(actors.map((a) => a.instanceId));
    return all.filter((s) => ids.has(s[0]));
  }

  /**
   * The boxes of the actors seen. Each one's pixels drawn alone are counted with `raster`, or
   * taken from `alone` (the n-th actor of `seen`'s list) where another thread counted them.
   */
  measure(
    instance: Uint32Array, world: World, actors: readonly BoxedObject[], view: CameraView, raster: Rasterizer, near: number, far: number,
    alone?: ArrayLike<number>, stats?: number[][],
  ): Boxes2d {
    const byId = new Map(actors.map((a) => [a.instanceId, a]));
    const seen = this.seen(instance, actors, stats);
    const boxes = new Float32Array(seen.length * 6);
    const instanceIds = new Uint32Array(seen.length);
    const classIds = new Uint8Array(seen.length);
    const signalStates = new Uint8Array(seen.length);
    if (!alone) raster.setView(view, near, far, 0, raster.target.height);
    seen.forEach((s, n) => {
      const actor = byId.get(s[0])!;
      const covered = alone ? alone[n] : this.aloneCount(world.partsOf(actor.instanceId), raster);
      boxes.set([s[1], s[2], s[3], s[4], this.truncation(actor, view, near), covered > 0 ? Math.min(1, Math.max(0, 1 - s[5] / covered)) : 0], n * 6);
      instanceIds[n] = s[0];
      classIds[n] = actor.classId;
      signalStates[n] = actor.signalState ?? 0;
    });
    return { boxes, instanceIds, classIds, signalStates };
  }

  /** Camera pixels the actor's meshes cover when drawn alone. */
  private aloneCount(parts: readonly PlacedPart[], raster: Rasterizer): number {
    const stamp = ++this.stampCounter;
    raster.stampInstance(parts.map((part) => ({ mesh: part.mesh, r: rotationMatrix(part.quaternion), t: part.position })), stamp);
    const buffer = raster.target.stamp;
    const [u0, v0, u1, v1] = raster.stampBounds;
    let count = 0;
    const source = this.remap.source;
    if (!source) {
      const w = raster.target.width;
      for (let v = v0; v <= v1; v++) for (let u = u0; u <= u1; u++) if (buffer[v * w + u] === stamp) count++;
      return count;
    }
    if (u1 < u0) return 0;
    for (let i = 0; i < source.length; i++) if (source[i] >= 0 && buffer[source[i]] === stamp) count++;
    return count;
  }

  /**
   * Share of the actor's 3D box outside the camera's view, by volume: the view being the solid
   * the image's outline spans from the optical centre, beyond the near plane. 0 for a box wholly
   * in view, 1 for one wholly outside. By volume, not by projected area: the projection of a box
   * that reaches past the camera (a car overtaking) grows without bound as its near end
   * approaches the camera plane, which would call a car half in view almost wholly truncated.
   *
   * The volume in view is the box clipped by the view's planes, summed by the divergence
   * theorem about the optical centre, V = (1/3) sum over faces of (n . p) area: the clipped box
   * faces, and the cap the near plane cuts (the caps on the side planes pass through the centre
   * and add nothing).
   */
  truncation(actor: Pick<BoxedObject, 'box' | 'pose'>, view: CameraView, near: number): number {
    const { length, width, height } = actor.box;
    const volume = length * width * height;
    if (!(volume > 0)) return 1;
    const centre = actor.box.center ?? [0, 0, height / 2];
    const r = rotationMatrix(actor.pose.q);
    const m = view.m, c = view.position;
    // The box centre and half axes in the optical frame.
    const toCamera = (w: number[]): number[] => [0, 1, 2].map((row) => m[row * 3] * w[0] + m[row * 3 + 1] * w[1] + m[row * 3 + 2] * w[2]);
    const world = [0, 1, 2].map((row) => actor.pose.p[row] + r[row * 3] * centre[0] + r[row * 3 + 1] * centre[1] + r[row * 3 + 2] * centre[2] - c[row]);
    const middle = toCamera(world);
    const half = [length / 2, width / 2, height / 2];
    const axes = [0, 1, 2].map((a) => toCamera([r[a], r[3 + a], r[6 + a]]));
    const corner = (k: number): number[] => [0, 1, 2].map((i) => middle[i]
      + ((k & 1 ? 1 : -1) * half[0]) * axes[0][i] + ((k & 2 ? 1 : -1) * half[1]) * axes[1][i] + ((k & 4 ? 1 : -1) * half[2]) * axes[2][i]);
    const corners = Array.from({ length: 8 }, (_, k) => corner(k));
    // The view's half-spaces n . p + d >= 0: beyond the near plane, inside each outline edge's plane.
    const planes: number[][] = [[0, 0, 1, -near]];
    const outline = this.imageOutline;
    for (let i = 0; i < outline.length; i++) {
      const a = outline[i], b = outline[(i + 1) % outline.length];
      planes.push([-(b[1] - a[1]), b[0] - a[0], (b[1] - a[1]) * a[0] - (b[0] - a[0]) * a[1], 0]);
    }
    let inView = 0;
    for (let axis = 0; axis < 3; axis++) {
      const bit = 1 << axis;
      // The face's corners in order around it: the other two bits step 00, 01, 11, 10.
      const [u, v] = [0, 1, 2].filter((x) => x !== axis).map((x) => 1 << x);
      for (const sign of [-1, 1]) {
        const base = sign > 0 ? bit : 0;
        let face = [base, base | u, base | u | v, base | v].map((k) => corners[k]);
        for (const plane of planes) face = clipPolygon(face, plane);
        if (face.length < 3) continue;
        const n = axes[axis].map((x) => sign * x);
        const offset = n[0] * face[0][0] + n[1] * face[0][1] + n[2] * face[0][2];
        inView += offset * polygonArea3(face);
      }
    }
    // The near cap: the box's section by z = near, in pinhole coordinates, inside the outline.
    const section: number[][] = [];
    for (const [a, b] of BOX_EDGES) {
      const p = corners[a], q = corners[b];
      if ((p[2] >= near) !== (q[2] >= near)) {
        const f = (near - p[2]) / (q[2] - p[2]);
        section.push([(p[0] + (q[0] - p[0]) * f) / near, (p[1] + (q[1] - p[1]) * f) / near]);
      }
    }
    if (section.length >= 3) inView -= near * near * near * polygonArea(clipConvex(convexHull(section), outline));
    return Math.min(1, Math.max(0, 1 - inView / 3 / volume));
  }
}

/** A planar polygon (3D points in order) clipped to the half-space n . p + d >= 0 (Sutherland–Hodgman). */
function clipPolygon(polygon: number[][], plane: number[]): number[][] {
  const out: number[][] = [];
  const side = (p: number[]): number => plane[0] * p[0] + plane[1] * p[1] + plane[2] * p[2] + plane[3];
  for (let k = 0; k < polygon.length; k++) {
    const p = polygon[k], q = polygon[(k + 1) % polygon.length];
    const sp = side(p), sq = side(q);
    if (sp >= 0) out.push(p);
    if ((sp >= 0) !== (sq >= 0)) {
      const f = sp / (sp - sq);
      out.push([p[0] + (q[0] - p[0]) * f, p[1] + (q[1] - p[1]) * f, p[2] + (q[2] - p[2]) * f]);
    }
  }
  return out;
}

/** Area of a planar polygon in 3D: half the length of the sum of its edges' cross products. */
function polygonArea3(polygon: number[][]): number {
  let x = 0, y = 0, z = 0;
  for (let k = 0; k < polygon.length; k++) {
    const p = polygon[k], q = polygon[(k + 1) % polygon.length];
    x += p[1] * q[2] - p[2] * q[1];
    y += p[2] * q[0] - p[0] * q[2];
    z += p[0] * q[1] - p[1] * q[0];
  }
  return Math.hypot(x, y, z) / 2;
}

/** Convex hull (Andrew's monotone chain), counter-clockwise in a right-handed x/y plane. */
export function convexHull(points: number[][]): number[][] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const cross = (o: number[], a: number[], b: number[]): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: number[][] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: number[][] = [];
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop();
    upper.push(q);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

export function polygonArea(poly: number[][]): number {
  let a = 0;
  for (let i = 0; i < poly.length; i++) {
    const p = poly[i], q = poly[(i + 1) % poly.length];
    a += p[0] * q[1] - q[0] * p[1];
  }
  return Math.abs(a) / 2;
}

/** Sutherland–Hodgman: `subject` clipped by the convex polygon `clip` (both counter-clockwise). */
export function clipConvex(subject: number[][], clip: number[][]): number[][] {
  let out = subject;
  for (let i = 0; i < clip.length && out.length > 0; i++) {
    const a = clip[i], b = clip[(i + 1) % clip.length];
    const side = (p: number[]): number => (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
    const input = out;
    out = [];
    for (let k = 0; k < input.length; k++) {
      const p = input[k], q = input[(k + 1) % input.length];
      const sp = side(p), sq = side(q);
      if (sp >= 0) out.push(p);
      if ((sp >= 0) !== (sq >= 0)) {
        const f = sp / (sp - sq);
        out.push([p[0] + (q[0] - p[0]) * f, p[1] + (q[1] - p[1]) * f]);
      }
    }
  }
  return out;
}
