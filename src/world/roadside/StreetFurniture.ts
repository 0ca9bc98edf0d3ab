import { materialId } from '../../core/materials.js';
import type { MeshBuilder } from '../../core/MeshBuilder.js';
import { classId } from '../../core/semantic.js';

type V3 = [number, number, number];

/** A street light: pole at `base`, an arm reaching `reach` metres toward the road (along `toRoad`), a lamp head at its end. */
export interface StreetLightSpec {
  base: V3;
  /** Heading of the road beside it (rad). */
  yaw: number;
  /** Unit vector (x, y) from the pole toward the road. */
  toRoad: [number, number];
  height: number;
  reach: number;
}

/** A traffic sign: a plate on a post, its face turned toward the traffic that reads it. */
export interface SignSpec {
  base: V3;
  /** Direction the face looks (rad): against the traffic that approaches it. */
  facing: number;
  /** Square plates (regulatory, warning) or a wider one (direction). */
  plate: [number, number];
  /** Height of the plate's centre above the ground. */
  height: number;
}

/** A bollard: a short plastic post at the back of the sidewalk near a junction. */
export interface BollardSpec {
  base: V3;
  yaw: number;
}

export const BOLLARD_SIZE: V3 = [0.16, 0.16, 0.9];

export function meshStreetLight(mesh: MeshBuilder, light: StreetLightSpec): void {
  const cls = classId('pole');
  const metal = materialId('metal_pole');
  const [x, y, z] = light.base;
  const [tx, ty] = light.toRoad;
  mesh.box([x, y, z + light.height / 2], [0.2, 0.2, light.height], light.yaw, cls, metal);
  // The arm and head are boxes along the road's heading, the arm spanning across it.
  const armMid: V3 = [x + tx * light.reach / 2, y + ty * light.reach / 2, z + light.height - 0.1];
  mesh.box(armMid, [0.12, light.reach, 0.12], light.yaw, cls, metal);
  const head: V3 = [x + tx * light.reach, y + ty * light.reach, z + light.height - 0.22];
  mesh.box(head, [0.6, 0.3, 0.18], light.yaw, cls, metal);
}

export function meshSign(mesh: MeshBuilder, sign: SignSpec): void {
  const [x, y, z] = sign.base;
  const [w, h] = sign.plate;
  const postHeight = sign.height + h / 2;
  mesh.box([x, y, z + postHeight / 2], [0.08, 0.08, postHeight], sign.facing, classId('pole'), materialId('metal_pole'));
  // The plate stands just in front of the post, 2 cm thick, its face toward `facing`.
  const c = Math.cos(sign.facing), s = Math.sin(sign.facing);
  mesh.box([x + c * 0.06, y + s * 0.06, z + sign.height], [0.02, w, h], sign.facing, classId('traffic_sign'), materialId('sign_face'));
}

export function meshBollard(mesh: MeshBuilder, bollard: BollardSpec): void {
  const [x, y, z] = bollard.base;
  mesh.box([x, y, z + BOLLARD_SIZE[2] / 2], BOLLARD_SIZE, bollard.yaw, classId('pole'), materialId('bollard_plastic'));
}
