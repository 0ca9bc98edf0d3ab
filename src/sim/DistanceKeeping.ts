import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { MotionActionSpec } from '../scenario/MotionActions.js';
import type { LongitudinalDrive, SimActor } from './Actor.js';
import { relativeDistance } from './Distances.js';

type Longitudinal = Extract<MotionActionSpec, { type: 'longitudinalDistance' }>;

/** esmini's spring constant per unit of the allowed acceleration (1/m), and its end threshold (m). */
const SPRING = 0.4;
const LONGITUDINAL_THRESHOLD = 0.1;

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
