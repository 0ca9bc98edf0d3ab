import { arrayField, type ArrayField, type Pose } from '../core/frame.js';
import { rotationMatrix } from '../core/pose.js';
import type { ActorState } from '../sim/WorldState.js';
import { PointGrid } from './PointGrid.js';

/** Points are binned on a grid of this cell (m), about a car's length, to count each box's from the few cells it covers. */
const GRID_CELL = 4;

/**
 * Every actor's 3D box in a sensor's frame (the labels a detector trains on), as rows of centre
 * x, y, z, quaternion x, y, z, w and length, width, height, with the instance ids and the
 * number of the sensor's points (x, y, z, _ rows) that lie inside each box.
 */
export function boxesInSensorFrame(sensor: Pose, actors: readonly ActorState[], points: Float32Array): Record<string, ArrayField> {
  const n = actors.length;
  const boxes = new Float32Array(n * 10);
  const ids = new Uint32Array(n);
  const counts = new Uint32Array(n);
  const r = rotationMatrix(sensor.q);
  const [sx, sy, sz, sw] = sensor.q;
  const grid = new PointGrid(points, GRID_CELL);
  actors.forEach((actor, i) => {
    const [qx, qy, qz, qw] = actor.pose.q;
    const h = actor.box.height / 2;
    // Box centre in the world: half the height up the actor's own z axis.
    const c = [
      actor.pose.p[0] + 2 * (qx * qz + qy * qw) * h - sensor.p[0],
      actor.pose.p[1] + 2 * (qy * qz - qx * qw) * h - sensor.p[1],
      actor.pose.p[2] + (1 - 2 * (qx * qx + qy * qy)) * h - sensor.p[2],
    ];
    // Sensor from world: R^T for the position, conj(q_sensor) * q_actor for the orientation.
    const local = [0, 1, 2].map((a) => r[a] * c[0] + r[3 + a] * c[1] + r[6 + a] * c[2]);
    const q = [
      sw * qx - sx * qw - sy * qz + sz * qy,
      sw * qy + sx * qz - sy * qw - sz * qx,
      sw * qz - sx * qy + sy * qx - sz * qw,
      sw * qw + sx * qx + sy * qy + sz * qz,
    ];
    boxes.set([...local, ...q, actor.box.length, actor.box.width, actor.box.height], i * 10);
    ids[i] = actor.instanceId;
    counts[i] = countInside(points, grid, local, rotationMatrix(q), [actor.box.length / 2, actor.box.width / 2, h]);
  });
  return {
    gt_boxes: arrayField(boxes, [n, 10]),
    gt_instance_ids: arrayField(ids, [n]),
    gt_point_counts: arrayField(counts, [n]),
  };
}

/** Points inside an oriented box (centre c, rotation m: box to sensor, half sizes), among those near it, sphere-tested first. */
function countInside(points: Float32Array, grid: PointGrid, c: number[], m: number[], half: number[]): number {
  const reach2 = half[0] ** 2 + half[1] ** 2 + half[2] ** 2;
  const eps = 1e-4;
  let n = 0;
  const test = (i: number): void => {
    const dx = points[i] - c[0], dy = points[i + 1] - c[1], dz = points[i + 2] - c[2];
    if (dx * dx + dy * dy + dz * dz > reach2 + eps) return;
    if (Math.abs(m[0] * dx + m[3] * dy + m[6] * dz) > half[0] + eps) return;
    if (Math.abs(m[1] * dx + m[4] * dy + m[7] * dz) > half[1] + eps) return;
    if (Math.abs(m[2] * dx + m[5] * dy + m[8] * dz) > half[2] + eps) return;
    n++;
  };
  grid.near(c[0], c[1], Math.sqrt(reach2) + eps, (k) => test(k * 4));
  return n;
}
