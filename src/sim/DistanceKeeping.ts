import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { MotionActionSpec } from '../scenario/MotionActions.js';
import type { LateralDrive, LongitudinalDrive, SimActor } from './Actor.js';
import { relativeDistance } from './Distances.js';

type Longitudinal = Extract<MotionActionSpec, { type: 'longitudinalDistance' }>;
type Lateral = Extract<MotionActionSpec, { type: 'lateralDistance' }>;

/** esmini's spring constant per unit of the allowed acceleration (1/m), and its thresholds (m). */
const SPRING = 0.4;
const LONGITUDINAL_THRESHOLD = 0.1;
const LATERAL_THRESHOLD = 0.01;

/**
 * OpenSCENARIO LongitudinalDistanceAction as esmini plays it (LongDistanceAction::Step): the
 * distance from the actor to the entity along the road (reference points, or boxes with
 * freespace) should be `distance`, or `timeGap` × the entity's speed; positive with the actor
 * trailing (behind), negative leading. Let e = measured − wanted. Without DynamicConstraints the
 * actor is moved e along its heading and takes the entity's speed (esmini moves it along s: the
 * same on a straight lane). With them, a critically damped spring: k = 0.4 × (maxAcceleration
 * when e < 0, else maxDeceleration), a = k·e − 2√k·(v − v_entity), limited to the constraints
 * (and their rates), the speed to maxSpeed. Steady state: the gap is the wanted one and the
 * speeds equal. Not continuous, the action ends once |e| < 0.1 m.
 */
export class LongitudinalDistance implements LongitudinalDrive {
  private accel = 0;
  private sign: number;

  constructor(private readonly network: RoadNetwork, private readonly spec: Longitudinal, private readonly target: SimActor, actor: SimActor, readonly onDone: () => void) {
    this.sign = spec.displacement === 'leadingReferencedEntity' ? -1 : 1;
    if (spec.displacement === 'any') this.sign = (this.measure(actor) ?? 1) < 0 ? -1 : 1;
  }

  private measure(actor: SimActor): number | undefined {
    return relativeDistance(this.network, actor, this.target, { coordinateSystem: 'road', type: 'longitudinal', freespace: this.spec.freespace });
  }

  command(actor: SimActor, dt: number): { accel: number; setSpeed?: number } | undefined {
    if (!this.target.active) return undefined;
    const d = this.measure(actor);
    if (d === undefined) return undefined;
    const wanted = this.sign * Math.abs(this.spec.distance ?? Math.abs(this.target.speed) * (this.spec.timeGap ?? 0));
    const e = d - wanted;
    if (!this.spec.continuous && Math.abs(e) < LONGITUDINAL_THRESHOLD) {
      actor.longitudinalDrive = undefined;
      actor.targetSpeed = actor.speed;
      this.onDone();
    }
    const c = this.spec.constraints;
    if (!c || (c.maxAcceleration === undefined && c.maxDeceleration === undefined)) {
      actor.x += e * Math.cos(actor.heading);
      actor.y += e * Math.sin(actor.heading);
      actor.targetSpeed = this.target.speed;
      return { accel: (this.target.speed - actor.speed) / dt, setSpeed: this.target.speed };
    }
    const tension = (e < 0 ? c.maxAcceleration : c.maxDeceleration) ?? c.maxAcceleration ?? c.maxDeceleration!;
    const k = tension * SPRING;
    let acc = e * k - (actor.speed - this.target.speed) * 2 * Math.sqrt(k);
    const rising = acc >= 0;
    if (rising && c.maxAcceleration !== undefined) acc = Math.min(acc, c.maxAcceleration);
    if (!rising && c.maxDeceleration !== undefined) acc = Math.max(acc, -c.maxDeceleration);
    const rate = rising ? c.maxAccelerationRate : c.maxDecelerationRate;
    if (rate !== undefined && rate > 0) acc = rising ? Math.min(acc, this.accel + rate * dt) : Math.max(acc, this.accel - rate * dt);
    this.accel = acc;
    if (c.maxSpeed !== undefined && actor.speed + acc * dt > c.maxSpeed) acc = (c.maxSpeed - actor.speed) / dt;
    actor.targetSpeed = actor.speed + acc * dt;
    return { accel: acc };
  }
}

/**
 * OpenSCENARIO LateralDistanceAction: the actor's lateral distance (road t, reference points or
 * boxes with freespace) to the entity should be `distance`, to its left (leftToReferencedEntity)
 * or right, or on the side it is now (any). The actor's lane offset is moved by the error: at
 * once without DynamicConstraints, else as a critically damped spring with the lateral
 * acceleration limited to maxLateralAcc and the lateral speed to maxSpeed. Approximated: the
 * offset is the path follower's reference, which the body follows with the steering's lag
 * (esmini sets the lateral position itself). Not continuous, it ends once within 0.01 m.
 */
export class LateralDistance implements LateralDrive {
  private vLat = 0;
  private side: number;

  constructor(private readonly network: RoadNetwork, private readonly spec: Lateral, private readonly target: SimActor, actor: SimActor, readonly onDone: () => void) {
    // Positive: the actor left of the entity (the entity lies to the actor's right, negative lateral).
    this.side = spec.displacement === 'leftToReferencedEntity' ? 1 : spec.displacement === 'rightToReferencedEntity' ? -1 : (this.measure(actor) > 0 ? -1 : 1);
  }

  private measure(actor: SimActor): number {
    return relativeDistance(this.network, actor, this.target, { coordinateSystem: 'road', type: 'lateral', freespace: this.spec.freespace }) ?? 0;
  }

  command(actor: SimActor, dt: number): void {
    if (!this.target.active || !actor.path) return;
    // The entity's lateral position seen from the actor, and where it should be: −side·distance.
    const e = this.measure(actor) + this.side * Math.abs(this.spec.distance);
    actor.offsetChange = undefined;
    if (!this.spec.continuous && Math.abs(e) < LATERAL_THRESHOLD) {
      actor.lateralDrive = undefined;
      this.onDone();
      return;
    }
    const body = actor.path.project(actor.x, actor.y, actor.pathIndex).e;
    const c = this.spec.constraints;
    if (!c || c.maxLateralAcc === undefined) {
      actor.laneOffset = body + e;
      return;
    }
    const k = c.maxLateralAcc * SPRING;
    let acc = e * k - this.vLat * 2 * Math.sqrt(k);
    acc = Math.max(-c.maxLateralAcc, Math.min(c.maxLateralAcc, acc));
    this.vLat += acc * dt;
    if (c.maxSpeed !== undefined) this.vLat = Math.max(-c.maxSpeed, Math.min(c.maxSpeed, this.vLat));
    actor.laneOffset += this.vLat * dt;
  }
}
