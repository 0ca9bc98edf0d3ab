import { ACTOR_KINDS } from '../../core/actorKinds.js';
import type { MeshBuilder } from '../../core/MeshBuilder.js';
import { classId } from '../../core/semantic.js';
import { bicycleGeometry, crankAngle, gaitAmplitude, proportions, ridingPose, walkingPose } from '../../sim/Bodies.js';
import { BODY_STYLES } from '../../sim/BodyStyles.js';
import type { ActorState } from '../../sim/WorldState.js';
import { actorModel } from '../ActorModels.js';
import { bicycleCrank, bicycleFrame } from './Bicycle.js';
import { BODY_SHAPES } from './bodyStyles.js';
import { personPartMesh, posedPersonParts } from './Person.js';
import { quatAboutY, quatSteerSpin } from './shapes.js';
import { vehicleBody, wheelMounts } from './VehicleBody.js';
import { bicycleWheel, roadWheel } from './Wheel.js';

/**
 * One rigid part of an actor: the key of its mesh (equal keys share one mesh, built once by
 * `build`) and its pose in the actor's body frame.
 */
export interface PartPlacement {
  key: string;
  build: () => MeshBuilder;
  position: [number, number, number];
  quaternion: [number, number, number, number];
}

const IDENTITY: [number, number, number, number] = [0, 0, 0, 1];
const mm = (x: number): string => Math.round(x * 1000).toString();

/**
 * The parts of an actor and their poses this tick: a vehicle's body and its wheels (turned by
 * the distance travelled over their radius, the front ones steered), a person's body and
 * limbs in the walking gait, a cyclist's bicycle, turning wheels and crank and the rider
 * pedalling. Actors without a drawn style (hand-made states) and props are the kind's boxes.
 */
export function actorParts(actor: ActorState): PartPlacement[] {
  const style = actor.style;
  const kind = ACTOR_KINDS[actor.kind];
  const odometer = actor.odometer ?? 0;
  if (style && (style in BODY_SHAPES || style === 'truck_trailer')) return vehicleParts(actor, style, kind.semanticClass, odometer);
  if ((style === 'adult' || style === 'child') && actor.stature) {
    const p = proportions(actor.stature, style);
    const pose = walkingPose(p, actor.gaitPhase ?? 0, gaitAmplitude(actor.speed));
    const cls = classId('pedestrian');
    return posedPersonParts(pose).map((part) => ({
      key: `person:${style}:${mm(actor.stature!)}:${part.part}`,
      build: () => personPartMesh(part.part, p, cls),
      position: part.position,
      quaternion: part.quaternion,
    }));
  }
  if (style === 'bicycle' && actor.stature) return cyclistParts(actor, actor.stature, odometer);
  return [{ key: `box:${actor.kind}`, build: () => actorModel(actor.kind), position: [0, 0, 0], quaternion: IDENTITY }];
}

function vehicleParts(actor: ActorState, style: string, cls: number, odometer: number): PartPlacement[] {
  const { length, width, height } = actor.box;
  const mounts = wheelMounts(style, length, width, WHEEL_RADIUS.get(style) ?? 0.33);
  const radius = mounts[0].radius;
  const size = `${mm(length)}x${mm(width)}x${mm(height)}`;
  const parts: PartPlacement[] = [{ key: `body:${style}:${size}`, build: () => vehicleBody(style, length, width, height, radius, cls), position: [0, 0, 0], quaternion: IDENTITY }];
  const steer = actor.steer ?? 0;
  for (const w of mounts) {
    parts.push({
      key: `wheel:${mm(w.radius)}:${mm(w.width)}:${w.side}:${cls}`,
      build: () => roadWheel(w.radius, w.width, w.side, cls),
      position: [w.x, w.y, w.z],
      quaternion: quatSteerSpin(w.steers ? visibleSteer(steer, w, width) : 0, odometer / w.radius),
    });
  }
  return parts;
}

const WHEEL_RADIUS = new Map(Object.values(BODY_STYLES).flat().map((s) => [s.name as string, s.wheelRadius]));

/**
 * The steer angle drawn: the bicycle model's, limited so that the turned tyre stays inside the
 * box (the mirrors' reach), which the ground truth promises holds every vertex.
 */
function visibleSteer(steer: number, w: { radius: number; width: number; y: number }, width: number): number {
  const room = width / 2 - Math.abs(w.y) - w.width / 2 - 0.005;
  const limit = Math.asin(Math.min(room / w.radius, 1));
  return Math.min(Math.max(steer, -limit), limit);
}

function cyclistParts(actor: ActorState, stature: number, odometer: number): PartPlacement[] {
  const p = proportions(stature, 'adult');
  const g = bicycleGeometry(p);
  const bike = classId('bicycle');
  const rider = classId('rider');
  const key = `cyclist:${mm(stature)}`;
  const spin = odometer / g.wheelRadius;
  const crank = crankAngle(g, odometer);
  const parts: PartPlacement[] = [
    { key: `${key}:frame`, build: () => bicycleFrame(g, bike), position: [0, 0, 0], quaternion: IDENTITY },
    { key: `${key}:crank`, build: () => bicycleCrank(g, p.hipHalf, bike), position: [...g.bottomBracket], quaternion: quatAboutY(crank) },
    { key: `bicycle-wheel:${mm(g.wheelRadius)}`, build: () => bicycleWheel(g.wheelRadius, bike), position: [-g.wheelbase / 2, 0, g.wheelRadius], quaternion: quatSteerSpin(0, spin) },
    { key: `bicycle-wheel:${mm(g.wheelRadius)}`, build: () => bicycleWheel(g.wheelRadius, bike), position: [g.wheelbase / 2, 0, g.wheelRadius], quaternion: quatSteerSpin(actor.steer ?? 0, spin) },
  ];
  for (const part of posedPersonParts(ridingPose(p, g, crank))) {
    parts.push({ key: `rider:${mm(stature)}:${part.part}`, build: () => personPartMesh(part.part, p, rider), position: part.position, quaternion: part.quaternion });
  }
  return parts;
}
