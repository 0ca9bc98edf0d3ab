/**
 * A scene's annotations: one sample_annotation per actor the key LiDAR's ground truth boxes
 * in each sample, in global coordinates, chained per instance, with its category, attribute,
 * visibility and the LiDAR and radar points inside it.
 */
import { ACTOR_KINDS, type ActorKindName } from '../../core/actorKinds.js';
import type { Pose } from '../../core/frame.js';
import { composePose, rotationMatrix } from '../../core/pose.js';
import { STANDING_SPEED } from '../../sensors/RadarNuscenes.js';
import type { RadarPoints } from './NuscenesFiles.js';
import {
  attributeOf, CATEGORY_TABLE, KIND_TAXONOMY, nuscenesToken,
  type InstanceRecord, type Rotation, type SampleAnnotationRecord, type Translation,
} from './NuscenesTables.js';

/** A LiDAR sweep's ground truth (the frame's gt_* arrays, copied), with the sensor's pose. */
export interface LidarSweep {
  tNs: number;
  pose: Pose;
  /** Rows of centre x y z, quaternion x y z w, length width height, in the LiDAR's frame. */
  boxes: Float32Array;
  ids: Uint32Array;
  counts: Uint32Array;
  kinds: string[];
}

/** An annotation, and its box in roadcast's world frame for counting radar points in it. */
export interface Annotation {
  record: SampleAnnotationRecord;
  world: Pose;
  half: [number, number, number];
}

/** w, x, y, z from roadcast's x, y, z, w. */
export function wxyz(q: readonly number[]): Rotation {
  return [q[3], q[0], q[1], q[2]];
}

/** Global from world: x and y less the map's origin (DrivableAreaMask.ts). */
export function globalOf(p: readonly number[], origin: readonly [number, number]): Translation {
  return [p[0] - origin[0], p[1] - origin[1], p[2]];
}

/** Each actor's box centres per sweep, for its speed over the ground. */
class SweepMotion {
  private readonly centres: Map<number, [number, number]>[];

  constructor(private readonly sweeps: readonly LidarSweep[]) {
    this.centres = sweeps.map((s) => {
      const m = new Map<number, [number, number]>();
      s.ids.forEach((id, j) => {
        const p = composePose(s.pose, { p: [s.boxes[j * 10], s.boxes[j * 10 + 1], s.boxes[j * 10 + 2]], q: [0, 0, 0, 1] }).p;
        m.set(id, [p[0], p[1]]);
      });
      return m;
    });
  }

  /** Horizontal speed at sweep w: the centred difference over its neighbours, one-sided at an end, 0 alone. */
  speed(w: number, id: number): number {
    const a = this.centres[w - 1]?.has(id) ? w - 1 : w;
    const b = this.centres[w + 1]?.has(id) ? w + 1 : w;
    if (a === b) return 0;
    const pa = this.centres[a].get(id)!, pb = this.centres[b].get(id)!;
    return Math.hypot(pb[0] - pa[0], pb[1] - pa[1]) / ((this.sweeps[b].tNs - this.sweeps[a].tNs) / 1e9);
  }

  /** Whether the actor moves at any sweep of the scene. */
  moves(id: number): boolean {
    return this.centres.some((m, w) => m.has(id) && this.speed(w, id) >= STANDING_SPEED);
  }
}

export interface SampleRef {
  token: string;
  /** The key LiDAR sweep (index into the sweeps). */
  sweep: number;
}

/**
 * The annotations of every sample (by sample) and the instances they belong to. `visibility`
 * gives an actor's visibility token in a sample. num_radar_pts starts at 0 and is counted as
 * the radar scans are written (countRadarPoints).
 */
export function annotateSamples(scene: string, sweeps: readonly LidarSweep[], samples: readonly SampleRef[], origin: readonly [number, number],
  visibility: (sample: number, instanceId: number) => string): { annotations: Annotation[][]; instances: InstanceRecord[] } {
  const motion = new SweepMotion(sweeps);
  const moves = new Map<number, boolean>();
  const attributeToken = new Map<string, string>();
  const byInstance = new Map<number, SampleAnnotationRecord[]>();
  const categoryOf = new Map<number, string>();
  const annotations = samples.map((sample, s) => {
    const sweep = sweeps[sample.sweep];
    const out: Annotation[] = [];
    sweep.ids.forEach((id, j) => {
      const kindName = sweep.kinds[j] as ActorKindName;
      if (!Object.hasOwn(ACTOR_KINDS, kindName)) return;
      const kind = KIND_TAXONOMY[kindName];
      const b = sweep.boxes.subarray(j * 10, j * 10 + 10);
      const world = composePose(sweep.pose, { p: [b[0], b[1], b[2]], q: [b[3], b[4], b[5], b[6]] });
      if (kind.attributes === 'vehicle' && !moves.has(id)) moves.set(id, motion.moves(id));
      const attribute = attributeOf(kind, motion.speed(sample.sweep, id), moves.get(id) ?? false, STANDING_SPEED);
      if (attribute && !attributeToken.has(attribute)) attributeToken.set(attribute, nuscenesToken('attribute', attribute));
      const record: SampleAnnotationRecord = {
        token: nuscenesToken('sample_annotation', scene, s, id),
        sample_token: sample.token,
        instance_token: nuscenesToken('instance', scene, id),
        visibility_token: visibility(s, id),
        attribute_tokens: attribute ? [attributeToken.get(attribute)!] : [],
        translation: globalOf(world.p, origin),
        // nuScenes sizes are width, length, height.
        size: [b[8], b[7], b[9]],
        rotation: wxyz(world.q),
        prev: '',
        next: '',
        num_lidar_pts: sweep.counts[j],
        num_radar_pts: 0,
      };
      if (!byInstance.has(id)) byInstance.set(id, []);
      byInstance.get(id)!.push(record);
      categoryOf.set(id, kind.category);
      out.push({ record, world, half: [b[7] / 2, b[8] / 2, b[9] / 2] });
    });
    return out;
  });
  const categoryToken = new Map(CATEGORY_TABLE.map((c) => [c.name, c.token]));
  const instances: InstanceRecord[] = [];
  for (const [id, chain] of byInstance) {
    chain.forEach((record, k) => {
      record.prev = chain[k - 1]?.token ?? '';
      record.next = chain[k + 1]?.token ?? '';
    });
    instances.push({
      token: chain[0].instance_token,
      category_token: categoryToken.get(categoryOf.get(id)!)!,
      nbr_annotations: chain.length,
      first_annotation_token: chain[0].token,
      last_annotation_token: chain[chain.length - 1].token,
    });
  }
  return { annotations, instances };
}

/**
 * Adds to each annotation the radar points inside its box that the devkit's default filters
 * keep, with the box placed in the scan's frame as the devkit's get_sample_data places it (the
 * sample's box moved by the scan's ego pose and calibration, which compose to the scan's pose).
 */
export function countRadarPoints(annotations: readonly Annotation[], scanPose: Pose, points: RadarPoints): void {
  const r = rotationMatrix(scanPose.q);
  for (const a of annotations) {
    // The box's centre and axes in the radar's frame: R_scan^T (world − p_scan), R_scan^T R_box.
    const d = [a.world.p[0] - scanPose.p[0], a.world.p[1] - scanPose.p[1], a.world.p[2] - scanPose.p[2]];
    const c = [0, 1, 2].map((k) => r[k] * d[0] + r[3 + k] * d[1] + r[6 + k] * d[2]);
    const rb = rotationMatrix(a.world.q);
    const axes = [0, 1, 2].map((col) => [0, 1, 2].map((k) => r[k] * rb[col] + r[3 + k] * rb[3 + col] + r[6 + k] * rb[6 + col]));
    let n = 0;
    for (let i = 0; i < points.kept.length; i++) {
      if (!points.kept[i]) continue;
      const v = [points.xyz[i * 3] - c[0], points.xyz[i * 3 + 1] - c[1], points.xyz[i * 3 + 2] - c[2]];
      if (axes.every((axis, k) => Math.abs(axis[0] * v[0] + axis[1] * v[1] + axis[2] * v[2]) <= a.half[k])) n++;
    }
    a.record.num_radar_pts += n;
  }
}
