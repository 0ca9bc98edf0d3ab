import type { Random } from '../core/Random.js';

/**
 * How people are built and how they move: segment lengths from stature, the walking gait and
 * the pedalling of a cyclist. The simulation uses it to size ground-truth boxes that hold every
 * pose; the world poses the body parts from it.
 *
 * Frame: the actor's body frame, origin at the footprint centre on the ground, x forward, y
 * left, z up. A limb hangs from its joint along its local -z; its pitch is the angle it swings
 * forward from straight down (the part's rotation is about y by minus that angle).
 *
 * Proportions: Drillis & Contini (1966), as tabulated in Winter, Biomechanics and Motor
 * Control of Human Movement (4th ed., 2009, fig. 4.1): hip 0.530 H, knee 0.285 H, ankle
 * 0.039 H, shoulder 0.818 H, upper arm 0.186 H, forearm 0.146 H, hand 0.108 H, foot 0.152 H,
 * shoulder width 0.259 H, hip width 0.191 H. A child's head is a larger share of stature and
 * its legs a smaller one (head 0.16 H, hip 0.48 H near age 7: Snyder et al., Anthropometry of
 * Infants, Children and Youths to Age 18, SAE SP-450, 1977).
 *
 * Gait: Perry & Burnfield, Gait Analysis: Normal and Pathological Function (2nd ed., 2010):
 * free walking at 1.37 m/s with a cadence of 113 steps/min, a stride of 1.41 m (0.8 statures);
 * the hip swings from 30 degrees of flexion at heel strike to 10 degrees of extension, the knee
 * flexes 15 degrees in loading response and 60 degrees in swing. Over speed, stride length and
 * cadence grow together (Grieve, Gait patterns and the speed of walking, Biomedical Engineering
 * 3, 1968), modelled as each growing with the square root of speed; a child's stride scales with
 * its stature (Sutherland et al., The development of mature gait, JBJS 62-A, 1980).
 */
export type V3 = [number, number, number];

export interface Proportions {
  stature: number;
  hipHeight: number;
  thigh: number;
  shin: number;
  ankleHeight: number;
  footLength: number;
  /** Lateral offset of each hip joint from the midline. */
  hipHalf: number;
  torso: number;
  shoulderHalf: number;
  upperArm: number;
  /** Forearm and hand. */
  forearm: number;
  headRadius: number;
  /** Limb radii at the proximal joint: thigh, shin, upper arm, forearm; torso half-depth and half-width. */
  thighRadius: number;
  shinRadius: number;
  armRadius: number;
  forearmRadius: number;
  torsoHalfDepth: number;
  torsoHalfWidth: number;
}

export function proportions(stature: number, build: 'adult' | 'child'): Proportions {
  const H = stature;
  const child = build === 'child';
  const hip = (child ? 0.48 : 0.53) * H;
  const head = (child ? 0.16 : 0.13) * H;
  const knee = hip * (0.285 / 0.53);
  const ankle = 0.039 * H;
  const shoulder = H - head - 0.05 * H;
  return {
    stature: H, hipHeight: hip, thigh: hip - knee, shin: knee - ankle, ankleHeight: ankle, footLength: 0.152 * H,
    hipHalf: 0.05 * H, torso: shoulder - hip, shoulderHalf: 0.1 * H, upperArm: 0.186 * H * (child ? 0.95 : 1), forearm: (0.146 + 0.06) * H * (child ? 0.95 : 1),
    headRadius: head / 2, thighRadius: 0.05 * H, shinRadius: 0.032 * H, armRadius: 0.028 * H, forearmRadius: 0.022 * H,
    torsoHalfDepth: 0.07 * H, torsoHalfWidth: 0.115 * H,
  };
}

/** Adult stature ~ N(1.70, 0.09) m (pooled men and women, NCD-RisC 2016); children aged 5 to 10, 1.10 to 1.40 m (WHO 2007). */
export function stature(build: 'adult' | 'child', random: Random): number {
  const h = build === 'child' ? random.uniform(1.1, 1.4) : random.normal(1.7, 0.09);
  // Rounded to 5 cm so that the world builds a handful of body meshes.
  return Math.round(Math.min(Math.max(h, build === 'child' ? 1.1 : 1.5), build === 'child' ? 1.4 : 1.95) * 20) / 20;
}

/** The parts of a posed person (walking or riding): each a joint position and a forward pitch. */
export interface PersonPose {
  torso: { at: V3; pitch: number };
  head: { at: V3; pitch: number };
  /** Left then right. */
  thighs: [Limb, Limb];
  shins: [Limb, Limb];
  feet: [Limb, Limb];
  upperArms: [Limb, Limb];
  forearms: [Limb, Limb];
}
export interface Limb {
  at: V3;
  pitch: number;
}

/** Free-walking speed and stride of Perry & Burnfield, per stature. */
const REFERENCE_SPEED = 1.37;
const STRIDE_PER_STATURE = 1.41 / 1.72;

/** Stride length (m, two steps) at a walking speed. */
export function strideLength(speed: number, statureM: number): number {
  return STRIDE_PER_STATURE * statureM * Math.sqrt(Math.max(speed, 0.2) / REFERENCE_SPEED);
}

/** How far the joints swing at a speed: none standing, full at free walking speed. */
export function gaitAmplitude(speed: number): number {
  return Math.min(Math.max(speed / 1.2, 0), 1);
}

const DEG = Math.PI / 180;
const bump = (phase: number, centre: number, width: number): number => {
  let d = phase - centre;
  d -= Math.round(d);
  return Math.exp(-0.5 * (d / width) ** 2);
};

/** Sagittal joint angles of one leg at a phase of its stride (0 = heel strike). */
function legAngles(phase: number, amplitude: number): { hip: number; knee: number; foot: number } {
  const hip = amplitude * (10 + 20 * Math.cos(2 * Math.PI * phase)) * DEG;
  const knee = amplitude * (15 * bump(phase, 0.12, 0.06) + 60 * bump(phase, 0.72, 0.11)) * DEG;
  // Toes up at heel strike, heel up at push-off.
  const foot = amplitude * (12 * bump(phase, 0.02, 0.05) - 20 * bump(phase, 0.58, 0.06)) * DEG;
  return { hip, knee, foot };
}

const along = (from: V3, pitch: number, length: number): V3 => [from[0] + length * Math.sin(pitch), from[1], from[2] - length * Math.cos(pitch)];

/** The foot's lowest point below the ankle, with the foot pitched (toe up positive). */
function footDrop(p: Proportions, pitch: number): number {
  const toe = [0.75 * p.footLength, -p.ankleHeight];
  const heel = [-0.25 * p.footLength, -p.ankleHeight];
  const z = (q: number[]): number => q[0] * Math.sin(pitch) + q[1] * Math.cos(pitch);
  return -Math.min(z(toe), z(heel));
}

/** A walking person at a gait phase (of the left leg; the right one is half a stride later). */
export function walkingPose(p: Proportions, phase: number, amplitude: number): PersonPose {
  const legs = [legAngles(phase, amplitude), legAngles(phase + 0.5, amplitude)];
  // The pelvis rides on the lower of the two feet: the stance foot stays on the ground.
  let hipZ = 0;
  for (const leg of legs) {
    const drop = p.thigh * Math.cos(leg.hip) + p.shin * Math.cos(leg.hip - leg.knee) + footDrop(p, leg.foot);
    hipZ = Math.max(hipZ, drop);
  }
  const thighs: Limb[] = [];
  const shins: Limb[] = [];
  const feet: Limb[] = [];
  legs.forEach((leg, side) => {
    const hipAt: V3 = [0, side === 0 ? p.hipHalf : -p.hipHalf, hipZ];
    const knee = along(hipAt, leg.hip, p.thigh);
    const ankle = along(knee, leg.hip - leg.knee, p.shin);
    thighs.push({ at: hipAt, pitch: leg.hip });
    shins.push({ at: knee, pitch: leg.hip - leg.knee });
    feet.push({ at: ankle, pitch: leg.foot });
  });
  const shoulderZ = hipZ + p.torso;
  const upperArms: Limb[] = [];
  const forearms: Limb[] = [];
  for (const side of [0, 1]) {
    // Each arm swings against the leg of its own side.
    const swing = -amplitude * 18 * Math.cos(2 * Math.PI * (phase + side * 0.5)) * DEG;
    const elbow = (10 + amplitude * 15) * DEG;
    const shoulder: V3 = [0, side === 0 ? p.shoulderHalf : -p.shoulderHalf, shoulderZ];
    upperArms.push({ at: shoulder, pitch: swing });
    forearms.push({ at: along(shoulder, swing, p.upperArm), pitch: swing + elbow });
  }
  return {
    torso: { at: [0, 0, hipZ], pitch: Math.PI },
    head: { at: [0, 0, shoulderZ], pitch: 0 },
    thighs: thighs as [Limb, Limb], shins: shins as [Limb, Limb], feet: feet as [Limb, Limb],
    upperArms: upperArms as [Limb, Limb], forearms: forearms as [Limb, Limb],
  };
}

/**
 * A bicycle sized for its rider: wheel radius, wheelbase, crank, the bottom bracket and the
 * saddle and handlebar points. City and trekking bicycles with 700c / 28-inch wheels
 * (0.34 m tyre radius), 1.05 to 1.12 m wheelbase, 170 mm cranks and a mid gear of 42/16.
 */
export interface BicycleGeometry {
  wheelRadius: number;
  wheelbase: number;
  crankLength: number;
  gearRatio: number;
  bottomBracket: V3;
  hip: V3;
  handlebar: V3;
  /** The rider's trunk lean forward from vertical. */
  lean: number;
}

export function bicycleGeometry(p: Proportions): BicycleGeometry {
  const wheelRadius = 0.34;
  const wheelbase = 1.05 + 0.07 * Math.min(Math.max((p.stature - 1.5) / 0.45, 0), 1);
  const crankLength = 0.17;
  // Wheels at -wheelbase/2 and +wheelbase/2; the bottom bracket a little ahead of the rear axle third.
  const bottomBracket: V3 = [-0.08, 0, wheelRadius - 0.07];
  // The saddle sits so that the knee stays slightly bent at the bottom of the stroke (0.95 of
  // the leg), up and behind the bottom bracket along a 73-degree seat tube.
  const lowestAnkle: V3 = [bottomBracket[0], 0, bottomBracket[2] - crankLength + 0.07];
  const reach = 0.95 * (p.thigh + p.shin);
  const hipX = bottomBracket[0] - 0.22;
  const hip: V3 = [hipX, 0, lowestAnkle[2] + Math.sqrt(reach * reach - (hipX - lowestAnkle[0]) ** 2)];
  const lean = 40 * DEG;
  const shoulder: V3 = [hip[0] + p.torso * Math.sin(lean), 0, hip[2] + p.torso * Math.cos(lean)];
  const armReach = 0.9 * (p.upperArm + p.forearm);
  const handlebar: V3 = [shoulder[0] + armReach * 0.75, 0, shoulder[2] - armReach * Math.sqrt(1 - 0.75 * 0.75)];
  return { wheelRadius, wheelbase, crankLength, gearRatio: 42 / 16, bottomBracket, hip, handlebar, lean };
}

/** Crank angle (rad) after riding a distance: one turn per wheel circumference times the gear ratio. */
export function crankAngle(g: BicycleGeometry, distance: number): number {
  return distance / (g.wheelRadius * g.gearRatio);
}

/** Knee of a two-link leg (or elbow of an arm) from its ends, bending toward +x. */
function twoLink(from: V3, to: V3, upper: number, lower: number): V3 {
  const dx = to[0] - from[0], dz = to[2] - from[2];
  const d = Math.min(Math.hypot(dx, dz), upper + lower - 1e-6);
  const a = (upper * upper - lower * lower + d * d) / (2 * d);
  const h = Math.sqrt(Math.max(upper * upper - a * a, 0));
  const ux = dx / Math.hypot(dx, dz), uz = dz / Math.hypot(dx, dz);
  // Perpendicular that points forward (+x) of the line from the joint to the end.
  const [px, pz] = uz <= 0 ? [-uz, ux] : [uz, -ux];
  return [from[0] + a * ux + h * px, from[1], from[2] + a * uz + h * pz];
}

const pitchTo = (from: V3, to: V3): number => Math.atan2(to[0] - from[0], from[2] - to[2]);

/** A rider on a bicycle with the crank at an angle (the left pedal at the top at 0). */
export function ridingPose(p: Proportions, g: BicycleGeometry, crank: number): PersonPose {
  const shoulder: V3 = [g.hip[0] + p.torso * Math.sin(g.lean), 0, g.hip[2] + p.torso * Math.cos(g.lean)];
  const thighs: Limb[] = [], shins: Limb[] = [], feet: Limb[] = [], upperArms: Limb[] = [], forearms: Limb[] = [];
  for (const side of [0, 1]) {
    const y = side === 0 ? p.hipHalf : -p.hipHalf;
    const angle = crank + side * Math.PI;
    const pedal: V3 = [g.bottomBracket[0] + g.crankLength * Math.sin(angle), y, g.bottomBracket[2] + g.crankLength * Math.cos(angle)];
    const ankle: V3 = [pedal[0] - 0.04, y, pedal[2] + 0.07];
    const hip: V3 = [g.hip[0], y, g.hip[2]];
    const knee = twoLink(hip, ankle, p.thigh, p.shin);
    thighs.push({ at: hip, pitch: pitchTo(hip, knee) });
    shins.push({ at: knee, pitch: pitchTo(knee, ankle) });
    feet.push({ at: ankle, pitch: 0 });
    const shoulderAt: V3 = [shoulder[0], side === 0 ? p.shoulderHalf : -p.shoulderHalf, shoulder[2]];
    const hand: V3 = [g.handlebar[0], shoulderAt[1], g.handlebar[2]];
    const elbow = twoLink(shoulderAt, hand, p.upperArm, p.forearm);
    upperArms.push({ at: shoulderAt, pitch: pitchTo(shoulderAt, elbow) });
    forearms.push({ at: elbow, pitch: pitchTo(elbow, hand) });
  }
  return {
    torso: { at: [g.hip[0], 0, g.hip[2]], pitch: Math.PI - g.lean },
    head: { at: shoulder, pitch: 0 },
    thighs: thighs as [Limb, Limb], shins: shins as [Limb, Limb], feet: feet as [Limb, Limb],
    upperArms: upperArms as [Limb, Limb], forearms: forearms as [Limb, Limb],
  };
}

/** Extent of a pose with its limbs' radii (the points the meshes stay within): x both ways, |y|, top z. */
interface Extent {
  minX: number;
  maxX: number;
  y: number;
  z: number;
}

function poseExtent(p: Proportions, pose: PersonPose, ext: Extent): void {
  const add = (q: V3, rx: number, ry = rx): void => {
    ext.minX = Math.min(ext.minX, q[0] - rx);
    ext.maxX = Math.max(ext.maxX, q[0] + rx);
    ext.y = Math.max(ext.y, Math.abs(q[1]) + ry);
    ext.z = Math.max(ext.z, q[2] + rx);
  };
  const limb = (l: Limb, length: number, r: number): void => {
    add(l.at, r);
    add(along(l.at, l.pitch, length), r);
  };
  for (let s = 0; s < 2; s++) {
    limb(pose.thighs[s], p.thigh, p.thighRadius);
    limb(pose.shins[s], p.shin, p.thighRadius);
    limb(pose.upperArms[s], p.upperArm, p.armRadius);
    limb(pose.forearms[s], p.forearm, p.armRadius);
    // The foot is a block from heel to toe, ankle height deep, 0.056 statures wide.
    const f = pose.feet[s];
    const dir = [Math.cos(f.pitch), Math.sin(f.pitch)];
    for (const [u, w] of [[0.75 * p.footLength, -p.ankleHeight], [-0.25 * p.footLength, -p.ankleHeight], [0.75 * p.footLength, 0.015], [-0.25 * p.footLength, 0.015]]) {
      add([f.at[0] + u * dir[0] - w * dir[1], f.at[1], f.at[2] + u * dir[1] + w * dir[0]], 0, 0.028 * p.stature);
    }
  }
  const t = pose.torso;
  limb({ at: t.at, pitch: t.pitch }, p.torso, Math.hypot(p.torsoHalfDepth, p.torsoHalfWidth));
  add([pose.head.at[0], 0, pose.head.at[2] + 0.05 * p.stature + p.headRadius], p.headRadius * 1.1);
  add(pose.head.at, 0.04 * p.stature);
}

export interface ActorBox {
  length: number;
  width: number;
  height: number;
  /** The box centre ahead of the footprint origin (m): a walker reaches further forward than back. */
  centerX: number;
}

const boxOf = (ext: Extent): ActorBox => ({ length: ext.maxX - ext.minX + 0.02, width: 2 * ext.y + 0.02, height: ext.z + 0.01, centerX: (ext.maxX + ext.minX) / 2 });

/** A walking person's box: it holds every gait phase at every speed. */
export function personBox(statureM: number, build: 'adult' | 'child'): ActorBox {
  const p = proportions(statureM, build);
  const ext: Extent = { minX: 0, maxX: 0, y: 0, z: 0 };
  for (const amplitude of [0, 0.25, 0.5, 0.75, 1]) {
    for (let i = 0; i < 64; i++) poseExtent(p, walkingPose(p, i / 64, amplitude), ext);
  }
  return boxOf(ext);
}

/** A cyclist's box: the bicycle, the handlebar and the rider at every crank angle. */
export function cyclistBox(statureM: number): ActorBox {
  const p = proportions(statureM, 'adult');
  const g = bicycleGeometry(p);
  const reach = g.wheelbase / 2 + g.wheelRadius;
  const ext: Extent = { minX: -reach, maxX: reach, y: 0.33, z: g.handlebar[2] + 0.1 };
  for (let i = 0; i < 48; i++) poseExtent(p, ridingPose(p, g, (2 * Math.PI * i) / 48), ext);
  return boxOf(ext);
}
