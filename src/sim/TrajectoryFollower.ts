import { trajectoryStart, type TrajectoryActionSpec, type TrajectoryTiming } from '../scenario/TrajectorySpec.js';
import type { SimActor } from './Actor.js';
import { wrapAngle } from './LanePath.js';
import type { ActionHandle } from './Storyboard.js';
import type { ActionHost } from './StoryboardActions.js';
import { buildCurve, type Curve } from './TrajectoryCurve.js';

/** esmini's SMALL_NUMBER: its tolerance for the ends of the curve and for facing against it. */
const SMALL = 1e-6;

/** Whether heading h faces against direction d (more than a right angle, as esmini's test). */
const against = (h: number, d: number): boolean => Math.abs(wrapAngle(h - d)) > Math.PI / 2 + SMALL;

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
 *     simulation time T the shape time is τ = T·scale + offset when absolute (plus the head
 *     start for esmini's ghost, which runs that far ahead), and τ = τ₀ + (T − start)·scale +
 *     offset when relative (τ₀ the shape time where it started, i.e. the first vertex's time
 *     without initialDistanceOffset); the entity is where the shape is at τ (each vertex at its
 *     time; a polyline in follow mode at constant acceleration per segment from the entity's
 *     speed, else linear in time); speed is then what the curve asks.
 * Backwards, as esmini: a heading a vertex writes is the entity's heading on its segment; where
 * it faces against the curve's own direction (more than 90°) a timed entity reports a negative
 * speed (velocity still along its motion), and an untimed one drives the way it faces, s
 * falling from initialDistanceOffset to the curve's start (roadcast speeds are never negative,
 * so esmini's reversing at a negative speed is this case only). Entering a segment whose vertex
 * writes no heading, the side is taken again from the curve's heading there, an entity still
 * facing backwards turned about.
 * The action ends at the curve's end (or start, driving backwards; timed: once τ passes the
 * last time, less 1e-6), the step's rest moved on along the curve's heading there as esmini
 * does; the entity then drives on.
 */
export class TrajectoryFollower {
  private s = 0;
  private lastOdometer = 0;
  private lastVel: [number, number, number] = [0, 0, 0];
  private lastSpeed = 0;
  private heading = 0;
  private base = 0;
  /** τ₀: the shape time where the entity started (relative timing counts from it). */
  private tau0 = 0;
  private ended = false;
  /** esmini's initialHeadingSign: −1 while the entity faces against the curve (untimed: it moves towards the start). */
  private headingSign = 1;
  /** Whether the last pose's heading was one a vertex writes (esmini's explicit_h_active_). */
  private writtenActive = false;
  /** Called when another trajectory replaces this one. */
  cancelled: () => void = () => undefined;

  constructor(
    readonly curve: Curve,
    private readonly timing: TrajectoryTiming | undefined,
    private readonly initialDistanceOffset: number,
    private readonly onDone: () => void,
    /** The actor's head start (esmini's ghost): absolute times are read that much later. */
    private readonly headstart = 0,
  ) {}

  /** The shape time at simulation time `time` (esmini: simTime·scale + headstart + offset). */
  private tau(time: number): number {
    const t = this.timing!;
    return t.domain === 'relative' ? this.tau0 + (time - this.base) * t.scale + t.offset : time * t.scale + this.headstart + t.offset;
  }

  private get timed(): boolean {
    return this.timing !== undefined && this.curve.sAtTime !== undefined;
  }

  private trueHeading(s: number): number {
    return this.curve.trueHeading ? this.curve.trueHeading(s) : this.curve.pose(s).heading;
  }

  private written(s: number): boolean {
    return this.curve.writtenHeading?.(s) ?? false;
  }

  /** Puts the actor on the curve at the action's start. */
  start(actor: SimActor, time: number): void {
    // esmini: SetTrajectoryS(initialDistanceOffset) whatever the timing; the time applies from the first step.
    this.s = this.initialDistanceOffset;
    const s0 = Math.min(this.s, this.curve.length);
    const pose = this.curve.pose(s0);
    this.heading = pose.heading;
    this.writtenActive = this.written(s0);
    this.headingSign = against(pose.heading, this.trueHeading(s0)) ? -1 : 1;
    if (this.timed) {
      this.base = time;
      this.tau0 = this.curve.time!(s0);
      // esmini's Start sets the entity's speed to the trajectory's where it starts, negative
      // where a written heading faces against the curve.
      if (this.curve.speedAt) actor.speed = (this.writtenActive ? this.headingSign : 1) * this.curve.speedAt(s0);
    }
    this.apply(actor, this.s, 0, this.heading);
    this.lastOdometer = actor.odometer;
    this.lastSpeed = actor.speed;
    this.lastVel = [actor.speed * Math.cos(actor.heading), actor.speed * Math.sin(actor.heading), actor.vel[2]];
    actor.vel = this.lastVel.slice() as [number, number, number];
  }

  /**
   * The reference point at arc length s (within the curve) moved `beyond` m on along the curve's
   * heading there, the entity facing `facing`.
   */
  private apply(actor: SimActor, s: number, beyond: number, facing: number): void {
    const p = this.curve.pose(Math.min(Math.max(s, 0), this.curve.length));
    const x = p.x + beyond * Math.cos(p.heading), y = p.y + beyond * Math.sin(p.heading);
    actor.heading = wrapAngle(facing);
    actor.x = x + actor.referenceOffset * Math.cos(actor.heading);
    actor.y = y + actor.referenceOffset * Math.sin(actor.heading);
    actor.steer = 0;
  }

  /** After the actor moved one step to `time`: puts it where the trajectory says. */
  advance(actor: SimActor, time: number, dt: number): void {
    if (this.ended) return;
    const L = this.curve.length;
    let s: number;
    let done: boolean;
    let beyond = 0;
    if (this.timed) {
      const tau = this.tau(time);
      s = this.curve.sAtTime!(tau);
      const ds = s - this.s;
      // esmini: speed = moving direction · heading direction · |Δs|/dt, the heading direction
      // from where the entity faced before the step.
      const moving = this.timing!.domain === 'relative' && ds < 0 ? -1 : 1;
      const facing = against(this.heading, this.trueHeading(Math.min(Math.max(this.s, 0), L))) ? -1 : 1;
      actor.speed = (moving * facing * Math.abs(ds)) / dt;
      actor.accel = (actor.speed - this.lastSpeed) / dt;
      const tEnd = this.curve.time!(L);
      // esmini ends once τ > last time − SMALL_NUMBER and moves the overshoot (τ − last time)·speed on.
      done = tau > tEnd - SMALL;
      if (done) beyond = Math.max(0, tau - tEnd) * actor.speed;
      actor.odometer = this.lastOdometer + Math.abs(ds) + Math.abs(beyond);
    } else {
      // The way the entity faces: towards the end, or (facing against the curve) the start.
      const step = actor.odometer - this.lastOdometer;
      s = this.s + this.headingSign * step;
      done = this.headingSign > 0 ? s >= L - 1e-9 : s < SMALL;
      if (done) beyond = Math.abs(this.headingSign > 0 ? s - L : s);
      s = Math.min(Math.max(s, 0), L);
    }
    const sc = Math.min(Math.max(s, 0), L);
    let facing = this.curve.pose(sc).heading;
    if (this.written(sc)) this.writtenActive = true;
    else {
      // Entering a segment whose vertex writes no heading: which way the entity faces is taken
      // again from the curve's heading there; facing against the curve it is turned about.
      if (this.writtenActive) this.headingSign = against(facing, this.trueHeading(sc)) ? -1 : 1;
      this.writtenActive = false;
      if (this.headingSign < 0) facing += Math.PI;
    }
    this.apply(actor, s, beyond, facing);
    actor.yawRate = wrapAngle(actor.heading - this.heading) / dt;
    this.heading = actor.heading;
    this.s = s;
    this.lastOdometer = actor.odometer;
    this.lastSpeed = actor.speed;
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
  }, actor.headstartTime);
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
