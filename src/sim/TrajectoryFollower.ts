import { trajectoryStart, type TrajectoryActionSpec, type TrajectoryTiming } from '../scenario/TrajectorySpec.js';
import type { SimActor } from './Actor.js';
import { wrapAngle } from './LanePath.js';
import type { ActionHandle } from './Storyboard.js';
import type { ActionHost } from './StoryboardActions.js';
import { buildCurve, type Curve } from './TrajectoryCurve.js';

/**
 * Moves an actor along a trajectory (FollowTrajectoryAction). The entity's reference point is
 * kept on the curve, in both following modes as esmini does (no ghost), its heading the
 * curve's (a polyline's turned at corners by the mode: TrajectoryPolyline.ts); the body
 * centre lies the reference offset ahead along that heading. Where along the curve:
 *   TimeReference None: the entity travels at its own speed (whatever drives it longitudinally,
 *     SpeedActions included), starting initialDistanceOffset m along the curve;
 *   Timing (esmini's FollowTrajectoryAction::Move): the entity starts initialDistanceOffset m
 *     along the curve at the speed the curve asks there (a polyline's vertex speed: the first
 *     segment's Δs/Δt in position mode, the entity's own in follow mode). After each step to
 *     simulation time T the shape time is τ = T·scale + offset when absolute, and
 *     τ = τ₀ + (T − start)·scale + offset when relative (τ₀ the shape time where it started,
 *     i.e. the first vertex's time without initialDistanceOffset); the entity is where the shape
 *     is at τ (each vertex at its time; a polyline in follow mode at constant acceleration per
 *     segment from the entity's speed, else linear in time); speed is then what the curve asks.
 * The action ends at the curve's end (or once τ passes the last time, less 1e-6, overshooting
 * by (τ − last time)·speed along the end heading as esmini does); the entity then drives on.
 */
export class TrajectoryFollower {
  private s = 0;
  private lastOdometer = 0;
  private lastVel: [number, number, number] = [0, 0, 0];
  private heading = 0;
  private base = 0;
  /** τ₀: the shape time where the entity started (relative timing counts from it). */
  private tau0 = 0;
  private ended = false;
  /** Called when another trajectory replaces this one. */
  cancelled: () => void = () => undefined;

  constructor(
    readonly curve: Curve,
    private readonly timing: TrajectoryTiming | undefined,
    private readonly initialDistanceOffset: number,
    private readonly onDone: () => void,
  ) {}

  /** The shape time at simulation time `time` (esmini: simTime·scale + offset). */
  private tau(time: number): number {
    const t = this.timing!;
    return t.domain === 'relative' ? this.tau0 + (time - this.base) * t.scale + t.offset : time * t.scale + t.offset;
  }

  private get timed(): boolean {
    return this.timing !== undefined && this.curve.sAtTime !== undefined;
  }

  /** Puts the actor on the curve at the action's start. */
  start(actor: SimActor, time: number): void {
    // esmini: SetTrajectoryS(initialDistanceOffset) whatever the timing; the time applies from the first step.
    this.s = this.initialDistanceOffset;
    if (this.timed) {
      this.base = time;
      this.tau0 = this.curve.time!(Math.min(this.s, this.curve.length));
      // esmini's Start sets the entity's speed to the trajectory's speed where it starts.
      if (this.curve.speedAt) actor.speed = this.curve.speedAt(Math.min(this.s, this.curve.length));
    }
    this.heading = this.curve.pose(Math.min(this.s, this.curve.length)).heading;
    this.apply(actor, this.s);
    this.lastOdometer = actor.odometer;
    this.lastVel = [actor.speed * Math.cos(actor.heading), actor.speed * Math.sin(actor.heading), actor.vel[2]];
    actor.vel = this.lastVel.slice() as [number, number, number];
  }

  /** Body pose at arc length s (past the end: straight on along the end tangent). */
  private apply(actor: SimActor, s: number): void {
    const L = this.curve.length;
    const p = this.curve.pose(Math.min(Math.max(s, 0), L));
    const beyond = Math.max(0, s - L);
    const c = Math.cos(p.heading), sn = Math.sin(p.heading);
    const o = actor.referenceOffset + beyond;
    actor.x = p.x + o * c;
    actor.y = p.y + o * sn;
    actor.heading = wrapAngle(p.heading);
    actor.steer = 0;
  }

  /** After the actor moved one step to `time`: puts it where the trajectory says. */
  advance(actor: SimActor, time: number, dt: number): void {
    if (this.ended) return;
    let s: number;
    let done: boolean;
    if (this.timed) {
      const tau = this.tau(time);
      s = this.curve.sAtTime!(tau);
      const ds = s - this.s;
      const v0 = Math.hypot(this.lastVel[0], this.lastVel[1]);
      actor.speed = Math.abs(ds) / dt;
      actor.accel = (actor.speed - v0) / dt;
      const tEnd = this.curve.time!(this.curve.length);
      // esmini ends once τ > last time − SMALL_NUMBER and moves the overshoot (τ − last time)·speed on.
      done = tau > tEnd - 1e-6;
      if (done) s += Math.max(0, tau - tEnd) * actor.speed;
      actor.odometer = this.lastOdometer + Math.abs(s - this.s);
    } else {
      s = this.s + (actor.odometer - this.lastOdometer);
      done = s >= this.curve.length - 1e-9;
    }
    this.apply(actor, s);
    actor.yawRate = wrapAngle(actor.heading - this.heading) / dt;
    this.heading = actor.heading;
    this.s = s;
    this.lastOdometer = actor.odometer;
    const vel: [number, number, number] = [actor.speed * Math.cos(actor.heading), actor.speed * Math.sin(actor.heading), actor.vel[2]];
    actor.acc = [(vel[0] - this.lastVel[0]) / dt, (vel[1] - this.lastVel[1]) / dt, actor.acc[2]];
    actor.vel = vel;
    this.lastVel = vel;
    if (done) {
      this.ended = true;
      this.onDone();
    }
  }
}

/**
 * Starts a FollowTrajectoryAction on an actor: resolves the shape's positions now, leaves the
 * lane path (the trajectory steers), and when the trajectory ends or the action is cancelled
 * puts the actor back on the road from where it is (a vehicle then keeps that lane). An actor
 * not yet in the world enters it at the trajectory's start.
 */
export function startTrajectory(sim: ActionHost, actor: SimActor, action: TrajectoryActionSpec, done: { value: boolean }): ActionHandle {
  if (!actor.active && actor.spec.spawnLater) sim.spawn(actor, trajectoryStart(action.shape), undefined);
  // The entity's speed now starts a follow-mode timed polyline (esmini's Freeze at Start).
  const curve = buildCurve(action.shape, (p) => sim.resolve(p), action.followingMode, actor.speed);
  const release = (): void => {
    actor.trajectory = undefined;
    sim.place(actor, { type: 'world', x: actor.x, y: actor.y, heading: actor.heading });
  };
  const previous = actor.trajectory;
  actor.trajectory = undefined;
  previous?.cancelled();
  const follower = new TrajectoryFollower(curve, action.timing, action.initialDistanceOffset, () => {
    done.value = true;
    release();
  });
  follower.cancelled = () => { done.value = true; };
  follower.start(actor, sim.time);
  // Placed at the start (road coordinates), then off the lane path: the trajectory steers.
  sim.place(actor, { type: 'world', x: actor.x, y: actor.y, heading: actor.heading });
  actor.path = undefined;
  actor.lateral = undefined;
  actor.offsetChange = undefined;
  actor.laneOffset = 0;
  actor.trajectory = follower;
  return {
    done: () => done.value,
    cancel: () => {
      done.value = true;
      if (actor.trajectory === follower) release();
    },
  };
}
