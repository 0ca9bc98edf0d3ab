import type { MeshBuilder } from '../../core/MeshBuilder.js';
import { classId } from '../../core/semantic.js';
import type { RoadsidePlan } from '../RoadsideDressing.js';
import { wallHeight } from './Buildings.js';

/**
 * A plan's scenery drawn the way roadcast drew it before façades, crowns and street furniture:
 * one box per building and street light, a trunk and one crown box per tree, each in its
 * class's usual material; no signs, bollards or guardrails. Kept as the baseline the sensor
 * benchmark measures the detailed scenery against (`sceneryDetail: 'boxes'`).
 */
export function meshSceneryAsBoxes(plan: RoadsidePlan, mesh: MeshBuilder): void {
  const building = classId('building'), pole = classId('pole'), vegetation = classId('vegetation');
  for (const b of plan.buildings) {
    const height = wallHeight(b) + b.roofRise;
    mesh.box([b.center[0], b.center[1], b.center[2] + height / 2], [b.along, b.depth, height], b.yaw, building);
  }
  for (const light of plan.streetLights) {
    mesh.box([light.base[0], light.base[1], light.base[2] + light.height / 2], [0.2, 0.2, light.height], light.yaw, pole);
  }
  for (const tree of plan.trees) {
    const [x, y, z] = tree.base;
    mesh.box([x, y, z + tree.trunkHeight / 2], [tree.trunkWidth, tree.trunkWidth, tree.trunkHeight], tree.yaw, vegetation);
    let lo = Infinity, hi = -Infinity, reach = 0;
    for (const blob of tree.blobs) {
      lo = Math.min(lo, blob.center[2] - blob.radius * blob.stretch);
      hi = Math.max(hi, blob.center[2] + blob.radius * blob.stretch);
      reach = Math.max(reach, Math.hypot(blob.center[0] - x, blob.center[1] - y) + blob.radius);
    }
    mesh.box([x, y, (lo + hi) / 2], [2 * reach, 2 * reach, hi - lo], tree.yaw, vegetation);
  }
}
