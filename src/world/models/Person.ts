import { materialId } from '../../core/materials.js';
import { MeshBuilder } from '../../core/MeshBuilder.js';
import type { Limb, PersonPose, Proportions } from '../../sim/Bodies.js';
import { limb, quatAboutY, slab, sphere, type V3 } from './shapes.js';

const SKIN = materialId('skin');
const HAIR = materialId('hair');
const TOP = materialId('clothing');
const BOTTOM = materialId('clothing_lower');
const SHOES = materialId('plastic_black');

/** The rigid parts a person is made of; left and right limbs share a mesh. */
export type PersonPart = 'torso' | 'head' | 'thigh' | 'shin' | 'foot' | 'upperArm' | 'forearm';

/**
 * One part's mesh in its joint's frame (the joint at the origin, the limb hanging along -z),
 * sized by the proportions (sim/Bodies.ts). The limbs taper; the torso is clothing, its lowest
 * fifth the lower-body clothing; the head carries hair on its crown and back.
 */
export function personPartMesh(part: PersonPart, p: Proportions, cls: number): MeshBuilder {
  const mesh = new MeshBuilder();
  const H = p.stature;
  const origin: V3 = [0, 0, 0];
  switch (part) {
    case 'torso': {
      // Hangs along -z from the pelvis; posed with a pitch of pi it stands up from it.
      const hips = 0.2 * p.torso;
      limb(mesh, origin, hips, [p.torsoHalfDepth * 0.9, p.torsoHalfWidth * 0.9], [p.torsoHalfDepth * 0.9, p.torsoHalfWidth * 0.95], cls, BOTTOM);
      limb(mesh, [0, 0, -hips], p.torso - hips, [p.torsoHalfDepth * 0.9, p.torsoHalfWidth * 0.95], [p.torsoHalfDepth, p.torsoHalfWidth], cls, TOP);
      break;
    }
    case 'head': {
      limb(mesh, [0, 0, 0.06 * H], 0.06 * H, [0.025 * H, 0.025 * H], [0.025 * H, 0.025 * H], cls, SKIN, 6);
      const r = p.headRadius;
      // Hair above the brow all round, and down the back of the head.
      sphere(mesh, [0, 0, 0.05 * H + r], [r * 0.95, r * 0.82, r], cls, (lat, lon) => (lat > 0.35 || (lat > -0.5 && Math.cos(lon) < -0.3) ? HAIR : SKIN));
      break;
    }
    case 'thigh':
      limb(mesh, origin, p.thigh, [p.thighRadius, p.thighRadius], [p.thighRadius * 0.7, p.thighRadius * 0.7], cls, BOTTOM);
      break;
    case 'shin':
      limb(mesh, origin, p.shin, [p.shinRadius * 1.15, p.shinRadius * 1.15], [p.shinRadius * 0.75, p.shinRadius * 0.75], cls, BOTTOM);
      break;
    case 'foot':
      slab(mesh, [-0.25 * p.footLength, -0.028 * H, -p.ankleHeight], [0.75 * p.footLength, 0.028 * H, 0.015], cls, SHOES);
      break;
    case 'upperArm':
      limb(mesh, origin, p.upperArm, [p.armRadius, p.armRadius], [p.armRadius * 0.8, p.armRadius * 0.8], cls, TOP);
      break;
    case 'forearm':
      limb(mesh, origin, p.forearm, [p.forearmRadius, p.forearmRadius], [p.forearmRadius * 0.8, p.forearmRadius * 0.9], cls, SKIN);
      break;
  }
  return mesh;
}

/** A part placed in the actor's body frame. */
export interface PosedPart {
  part: PersonPart;
  position: V3;
  quaternion: [number, number, number, number];
}

/**
 * The parts of a posed person with their poses in the body frame: a limb turns about y at its
 * joint by its pitch (a forward swing is a negative rotation about y, as the limb hangs down -z).
 */
export function posedPersonParts(pose: PersonPose): PosedPart[] {
  const at = (part: PersonPart, l: Limb): PosedPart => ({ part, position: [...l.at], quaternion: quatAboutY(-l.pitch) });
  const parts: PosedPart[] = [at('torso', pose.torso), at('head', pose.head)];
  for (let s = 0; s < 2; s++) {
    parts.push(at('thigh', pose.thighs[s]), at('shin', pose.shins[s]), at('upperArm', pose.upperArms[s]), at('forearm', pose.forearms[s]));
    // A foot's pitch raises the toe: a rotation about y by minus that angle tips +x upward.
    parts.push(at('foot', pose.feet[s]));
  }
  return parts;
}
