import { materialId } from '../../core/materials.js';
import type { MeshBuilder } from '../../core/MeshBuilder.js';
import { classId } from '../../core/semantic.js';

/** A point of a guardrail's line: a post stands here; `normal` points away from the road. */
export interface RailPoint {
  x: number;
  y: number;
  z: number;
  normal: [number, number];
}

/** One unbroken run of guardrail: a W-beam on posts, from one point to the next. */
export interface GuardrailSpec {
  points: RailPoint[];
}

/** Posts of W-beam guardrails stand about every 4 m (2 to 4 m in EN 1317 systems). */
export const GUARDRAIL_POST_SPACING = 4;

/**
 * The W-beam's cross-section: (offset away from the road, height) in metres. Its two ridges
 * face the traffic, 0.31 m deep from top to bottom, the top at about 0.75 m.
 */
const W_PROFILE: [number, number][] = [[0, 0.44], [-0.08, 0.51], [-0.02, 0.595], [-0.08, 0.68], [0, 0.75]];
const POST_SIZE: [number, number, number] = [0.1, 0.15, 0.8];
/** Posts stand behind the beam, on the far side from the traffic. */
const POST_BEHIND = 0.1;

export function meshGuardrail(mesh: MeshBuilder, rail: GuardrailSpec): void {
  const cls = classId('guard_rail');
  const steel = materialId('guardrail_steel');
  const at = (p: RailPoint, [off, h]: [number, number]): number[] => [p.x + p.normal[0] * off, p.y + p.normal[1] * off, p.z + h];
  for (let i = 0; i < rail.points.length; i++) {
    const p = rail.points[i];
    const yaw = Math.atan2(p.normal[1], p.normal[0]);
    mesh.box([p.x + p.normal[0] * POST_BEHIND, p.y + p.normal[1] * POST_BEHIND, p.z + POST_SIZE[2] / 2], POST_SIZE, yaw, cls, steel);
    const q = rail.points[i + 1];
    if (!q) continue;
    for (let k = 0; k + 1 < W_PROFILE.length; k++) {
      mesh.quad(at(p, W_PROFILE[k]), at(q, W_PROFILE[k]), at(q, W_PROFILE[k + 1]), at(p, W_PROFILE[k + 1]), cls, steel);
    }
  }
}
