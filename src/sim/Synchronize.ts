import type { MotionActionSpec } from '../scenario/MotionActions.js';
import type { LongitudinalDrive, SimActor } from './Actor.js';
import type { ResolvedPosition } from './Positions.js';

type Spec = Extract<MotionActionSpec, { type: 'synchronize' }>;

const SMALL = 1e-6;
const LARGE = 1e10;
/** esmini's deceleration when a synchronisation must stop at once (m/s²). */
const MAX_DECELERATION = 8;

/** What a synchronisation needs: distances along the lanes (undefined where none leads there). */
export interface SyncHost {
  distanceAlong(actor: SimActor, road: string, s: number): number | undefined;
}

/**
 * OpenSCENARIO SynchronizeAction as esmini plays it (OSCPrivateAction.cpp, SynchronizeAction::Step):
 * each step, the master's time to its target T = (its distance − targetToleranceMaster) / its
 * speed, and the actor's distance s to its target (− targetTolerance), both along the road
 * (straight-line where no lane leads there). Without a final speed the actor takes the
 * constant acceleration that covers s in T: a = 2 (s − v·T) / T². With one (v1), the speed
 * profile reaches s and v1 together: on the line v = 2 s / T − v1 a constant acceleration
 * (case 1); otherwise two phases of equal and opposite acceleration meeting at speed vx after
 * x seconds, from s = x (v + vx)/2 + (T − x)(vx + v1)/2 and (vx − v)/x = (vx − v1)/(T − x)
 * (case 2), until the line is met; a vx below 0 means stopping, waiting and starting again
 * (case 3). A steady state (distance d, or time τ: d = v1·τ) makes the last d metres at v1:
 * s and T are shortened by d and d / v1. The action ends when either reaches its target (or
 * moves away from it) or the master will be there within the step; then the actor takes the
 * final speed, or keeps its own.
 */
export class Synchronize implements LongitudinalDrive {
  private lastDist = Infinity;
  private lastMasterDist = Infinity;
  private mode: 'none' | 'nonLinear' | 'linear' | 'stopImmediately' | 'stopped' | 'waiting' | 'steady' = 'none';
  private convex = false;

  constructor(
    private readonly host: SyncHost,
    private readonly spec: Spec,
    private readonly master: SimActor,
    private readonly target: ResolvedPosition,
    private readonly masterTarget: ResolvedPosition,
    readonly onDone: () => void,
  ) {}

  private distance(a: SimActor, p: ResolvedPosition): number {
    const along = p.road !== undefined && p.s !== undefined ? this.host.distanceAlong(a, p.road, p.s) : undefined;
    // From the reference point, which lies referenceOffset behind the body centre.
    if (along !== undefined) return Math.abs(along + a.referenceOffset);
    const [x, y] = a.reference;
    return Math.hypot(p.x - x, p.y - y);
  }

  private finalSpeed(): number | undefined {
    const f = this.spec.finalSpeed;
    if (!f) return undefined;
    if ('absolute' in f) return f.absolute;
    return f.valueType === 'factor' ? this.master.speed * f.relativeToMaster : this.master.speed + f.relativeToMaster;
  }

  command(actor: SimActor, dt: number): { accel: number; setSpeed?: number } | undefined {
    let dist = this.distance(actor, this.target);
    let masterDist = this.distance(this.master, this.masterTarget);
    let done = dist < this.spec.tolerance + SMALL || masterDist < this.spec.masterTolerance + SMALL || dist > this.lastDist || masterDist > this.lastMasterDist;
    this.lastDist = dist;
    this.lastMasterDist = masterDist;
    dist = Math.max(dist - this.spec.tolerance, SMALL);
    masterDist = Math.max(masterDist - this.spec.masterTolerance, SMALL);
    let T = LARGE;
    if (this.master.speed > SMALL) {
      T = masterDist / this.master.speed;
      if (T < dt) done = true;
    }
    const v1 = this.finalSpeed();
    const v = actor.speed;
    if (done) {
      actor.longitudinalDrive = undefined;
      actor.targetSpeed = v1 ?? v;
      this.onDone();
      return v1 === undefined ? { accel: 0 } : { accel: (v1 - v) / dt, setSpeed: v1 };
    }
    if (v1 === undefined) return { accel: T >= LARGE ? 0 : (2 * (dist - v * T)) / (T * T) };
    return this.withFinalSpeed(actor, dist, T, v1, dt);
  }

  private withFinalSpeed(actor: SimActor, s: number, T: number, v1: number, dt: number): { accel: number; setSpeed?: number } {
    const v0 = actor.speed;
    const hold = { accel: 0 };
    if (this.spec.steadyState && this.mode !== 'steady') {
      const d = this.spec.steadyState.distance ?? (this.spec.steadyState.time ?? 0) * v1;
      const t = v1 > SMALL ? d / v1 : 0;
      if (s - d < SMALL || T - t < SMALL) this.mode = 'steady';
      else {
        s -= d;
        T -= t;
      }
    }
    if (this.mode === 'steady') return { accel: (v1 - v0) / dt, setSpeed: v1 };
    if (this.mode === 'waiting') {
      if (T >= LARGE) return hold;
      this.mode = 'none';
    }
    if (this.mode === 'stopImmediately') {
      if (v0 - MAX_DECELERATION * dt < 0) {
        this.mode = 'waiting';
        return { accel: -v0 / dt, setSpeed: 0 };
      }
      return { accel: -MAX_DECELERATION };
    }
    if (this.mode === 'stopped') {
      if (v1 > SMALL && T < (2 * s) / v1) this.mode = 'linear';
      else return { accel: -v0 / dt, setSpeed: 0 };
    }
    if (this.mode === 'linear') {
      if (T >= LARGE) return { accel: -v0 / dt, setSpeed: 0 };
      // The constant acceleration that covers s in T (on the line it also ends at v1).
      return { accel: (2 * (s - v0 * T)) / (T * T) };
    }
    if (T >= LARGE) return hold;
    if (this.mode === 'nonLinear' && Math.abs(v0 - (2 * s / T - v1)) < 0.1) {
      this.mode = 'linear';
      return hold;
    }
    if (this.mode === 'none') {
      this.mode = 'nonLinear';
      this.convex = (v1 + v0) / 2 < s / T;
    }
    // Case 2: the apex speed vx, root of the quadratic of the two-phase profile.
    let acc = 0;
    let vx = 0;
    if (Math.abs(v1 - v0) < SMALL) {
      vx = (s - (T / 2) * v0) / (T / 2);
      acc = (vx - v0) / (T / 2);
    } else {
      const root = Math.sqrt(2) * Math.sqrt(Math.max(0, 2 * s * s - 2 * (v1 + v0) * T * s + (v1 * v1 + v0 * v0) * T * T));
      for (const cand of [(2 * s - root) / (2 * T), (2 * s + root) / (2 * T)]) {
        const x = (T * (cand - v0)) / (2 * cand - v0 - v1);
        if (x > 0 && x < T) {
          vx = cand;
          acc = (cand - v0) / x;
          break;
        }
      }
    }
    if ((!this.convex && acc > 0) || (this.convex && acc < 0)) {
      this.mode = 'linear';
      return hold;
    }
    if (vx < 0) {
      // Case 3: decelerate to a stop over the share of s the current speed stands for.
      const t1 = (2 * v0 * s) / (v0 * v0 + v1 * v1);
      acc = Math.abs(t1) > SMALL ? -v0 / t1 : 0;
      if ((t1 * v0) / 2 > s / 2) {
        this.mode = 'stopImmediately';
        return { accel: -MAX_DECELERATION };
      }
      if (v0 + acc * dt < 0) {
        this.mode = 'stopped';
        return { accel: -v0 / dt, setSpeed: 0 };
      }
    }
    return { accel: acc };
  }
}
