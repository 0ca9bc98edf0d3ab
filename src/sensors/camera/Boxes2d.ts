import { actorKind } from '../../core/actorKinds.js';
import { rotationMatrix } from '../../core/pose.js';
import type { ActorState } from '../../sim/WorldState.js';
import type { World } from '../../world/World.js';
import type { CameraView } from './CameraView.js';
import type { LensRemap } from './LensRemap.js';
import type { Rasterizer } from './Rasterizer.js';

/** 2D boxes of the actors in one image: rows of x_min, y_min, x_max, y_max, truncation, occlusion. */
export interface Boxes2d {
  boxes: Float32Array;
  instanceIds: Uint32Array;
  classIds: Uint8Array;
}

const BOX_EDGES = [[0, 1], [1, 3], [3, 2], [2, 0], [4, 5], [5, 7], [7, 6], [6, 4], [0, 4], [1, 5], [2, 6], [3, 7]];

/**
 * Finds every actor seen in an instance image and measures its 2D box: the tight bounds of
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

  measure(instance: Uint32Array, world: World, actors: readonly ActorState[], view: CameraView, raster: Rasterizer, near: number, far: number): Boxes2d {
    const { width } = this.remap;
    // Visible pixels and bounds per instance id.
    const index = new Map<number, number>();
    const stats: number[][] = [];
    let lastId = 0, last: number[] | undefined;
    for (let i = 0; i < instance.length; i++) {
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
    stats.sort((a, b) => a[0] - b[0]);
    const byId = new Map(actors.map((a) => [a.instanceId, a]));
    const seen = stats.filter((s) => byId.has(s[0]));
    const boxes = new Float32Array(seen.length * 6);
    const instanceIds = new Uint32Array(seen.length);
    const classIds = new Uint8Array(seen.length);
    raster.setView(view, near, far, 0, raster.target.height);
    seen.forEach((s, n) => {
      const actor = byId.get(s[0])!;
      const mesh = world.modelMesh(actor.kind);
      const alone = this.aloneCount(mesh, actor, raster);
      boxes.set([s[1], s[2], s[3], s[4], this.truncation(actor, view, near), alone > 0 ? Math.min(1, Math.max(0, 1 - s[5] / alone)) : 0], n * 6);
      instanceIds[n] = s[0];
      classIds[n] = actorKind(actor.kind).semanticClass;
    });
    return { boxes, instanceIds, classIds };
  }

  /** Camera pixels the actor's model covers when drawn alone. */
  private aloneCount(mesh: Parameters<Rasterizer['stampInstance']>[0], actor: ActorState, raster: Rasterizer): number {
    const stamp = ++this.stampCounter;
    raster.stampInstance(mesh, rotationMatrix(actor.pose.q), actor.pose.p, stamp);
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

  /** Share of the actor's 3D box (clipped by the near plane, projected) outside the image. */
  truncation(actor: ActorState, view: CameraView, near: number): number {
    const { length, width, height } = actor.box;
    const centre = actor.box.center ?? [0, 0, height / 2];
    const r = rotationMatrix(actor.pose.q);
    const m = view.m, c = view.position;
    const corners: number[][] = [];
    for (let k = 0; k < 8; k++) {
      const bx = centre[0] + ((k & 1 ? 1 : -1) * length) / 2;
      const by = centre[1] + ((k & 2 ? 1 : -1) * width) / 2;
      const bz = centre[2] + ((k & 4 ? 1 : -1) * height) / 2;
      const wx = actor.pose.p[0] + r[0] * bx + r[1] * by + r[2] * bz - c[0];
      const wy = actor.pose.p[1] + r[3] * bx + r[4] * by + r[5] * bz - c[1];
      const wz = actor.pose.p[2] + r[6] * bx + r[7] * by + r[8] * bz - c[2];
      corners.push([m[0] * wx + m[1] * wy + m[2] * wz, m[3] * wx + m[4] * wy + m[5] * wz, m[6] * wx + m[7] * wy + m[8] * wz]);
    }
    const points: number[][] = [];
    for (const p of corners) if (p[2] >= near) points.push([p[0] / p[2], p[1] / p[2]]);
    for (const [a, b] of BOX_EDGES) {
      const p = corners[a], q = corners[b];
      if ((p[2] >= near) !== (q[2] >= near)) {
        const f = (near - p[2]) / (q[2] - p[2]);
        points.push([(p[0] + (q[0] - p[0]) * f) / near, (p[1] + (q[1] - p[1]) * f) / near]);
      }
    }
    if (points.length < 3) return 1;
    const hull = convexHull(points);
    const total = polygonArea(hull);
    if (!(total > 0)) return 1;
    const inside = polygonArea(clipConvex(hull, this.imageOutline));
    return Math.min(1, Math.max(0, 1 - inside / total));
  }
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
