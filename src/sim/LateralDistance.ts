import type { MotionActionSpec } from '../scenario/MotionActions.js';
import type { LateralDrive, SimActor } from './Actor.js';
import { wrapAngle } from './LanePath.js';

type Lateral = Extract<MotionActionSpec, { type: 'lateralDistance' }>;

/** esmini's spring constant per unit of maxAcceleration, its end threshold (m), its small number. */
const SPRING = 0.4;
const THRESHOLD = 0.01;
const SMALL = 1e-6;

/**
 * OpenSCENARIO LateralDistanceAction as esmini plays it (LatDistanceAction): the action puts
 * the actor's reference point itself, so the lateral distance holds exactly rather than through
 * a path follower's steering lag.
 *
 * Where the actor should be: W m left of the entity (as the entity faces), W = distance plus,
 * with freespace, half of both widths; negative for rightToReferencedEntity; `any` is left
 * (esmini's Start). In OpenSCENARIO 1.0 (no displacement) esmini takes the distance's sign:
 * in entity coordinates positive is left (the half widths added first), in road coordinates
 * positive is right and freespace adds nothing.
 *
 * `entity` (the default): the line W m beside the entity along its heading. Without
 * maxAcceleration the actor is put on that line at the foot of its perpendicular, facing as the
 * entity, and drives on along it; a step that reaches the line carries on the rest of its
 * length along it, one that does not ends on the foot. With maxAcceleration it turns onto the
 * line on arcs of radius R = max(0.5, 1.5·v²/min(maxAcceleration, 1000)), its heading changing
 * at most 1.5·v·dt/R a step: straight at the foot while farther than R, within R blending the
 * bearing to the foot with the entity's heading by the smoothstep of the arc's angle, and onto
 * the line itself when a step's half reaches past it. esmini never ends it.
 *
 * `road`: the wanted t is the entity's t + W (−W when the entity faces against s). The first
 * step only notes the position (esmini's INIT state). Without DynamicConstraints each step
 * moves the actor along the road's normal to that t (its speed along the road is untouched),
 * ending, unless continuous, on the step that finds it within 0.01 m. With them the lateral
 * speed follows esmini's critically damped spring: k = 0.4·maxAcceleration,
 * a = k·e − 2√k·(v_lat − the entity's lateral speed), its change limited to
 * maxAccelerationRate·dt, a to ±maxAcceleration, v_lat to ±(min(maxSpeed, v) − 10⁻⁶); without
 * maxAcceleration v_lat is min(maxSpeed, v) − 10⁻⁶ towards the target until the step would pass
 * it. The actor then moves v_lat·dt across and √(step² − (v_lat·dt)²) along the road and faces
 * the way it moved; the action ends (not continuous) once |e| < 0.01 m.
 *
 * Differs: in road coordinates without constraints esmini faces the actor the way it moved on
 * the step of the jump (the lateral jump included); here it keeps facing along its lane. Roads
 * other than the entity's: the lateral distance is measured in the entity's frame.
 */
export class LateralDistance implements LateralDrive {
  /** W: where the actor should be, m left of the entity as it faces (road: in t as above). */
  private readonly wanted: number;
  private started = false;
  private ended = false;
  private latVel = 0;
  private latAcc = 0;
  /** This step, from command to advance: the actor and entity as they were, and the move planned. */
  private before?: { ax: number; ay: number; ah: number; tx: number; ty: number; th: number; odometer: number; speed: number };
  private planned?: { nx: number; ny: number; lateral: number };

  constructor(private readonly spec: Lateral, private readonly target: SimActor, actor: SimActor, private readonly onDone: () => void) {
    const halves = (actor.width + target.width) / 2;
    const d = spec.distance;
    if (spec.displacement === 'none') this.wanted = spec.coordinateSystem === 'entity' ? d + (spec.freespace ? halves : 0) : -d;
    else this.wanted = (spec.displacement === 'rightToReferencedEntity' ? -1 : 1) * (Math.abs(d) + (spec.freespace ? halves : 0));
    actor.offsetChange = undefined;
  }

  private get dynamic(): boolean {
    const c = this.spec.constraints;
    if (!c) return false;
    if (this.spec.coordinateSystem === 'entity') return c.maxAcceleration !== undefined;
    return c.maxAcceleration !== undefined || c.maxDeceleration !== undefined || c.maxSpeed !== undefined;
  }

  /** Before the step's move, with every entity where the last step left it (esmini steps its actions before it moves anyone). */
  command(actor: SimActor, dt: number): void {
    this.planned = undefined;
    if (this.ended || !this.target.active) return;
    const [ax, ay] = actor.reference, [tx, ty] = this.target.reference;
    this.before = { ax, ay, ah: actor.heading, tx, ty, th: this.target.heading, odometer: actor.odometer, speed: actor.speed };
    if (this.spec.coordinateSystem === 'entity') return;
    if (!this.started) {
      this.started = true;
      return;
    }
    const { e, nx, ny } = this.roadError(actor);
    if (!this.dynamic) {
      // Straight across to the wanted t; the move along the road is the step's own.
      actor.x += e * nx;
      actor.y += e * ny;
      this.hold(actor);
      if (!this.spec.continuous && Math.abs(e) < THRESHOLD) this.end(actor);
      return;
    }
    const c = this.spec.constraints!;
    const cap = Math.min(c.maxSpeed ?? Infinity, actor.speed) - SMALL;
    let lateral: number;
    if (c.maxAcceleration !== undefined) {
      const k = SPRING * c.maxAcceleration;
      const tvLat = -this.target.vel[0] * Math.sin(this.target.heading) + this.target.vel[1] * Math.cos(this.target.heading);
      const spring = k * e - 2 * Math.sqrt(k) * (this.latVel - tvLat);
      const rate = (c.maxAccelerationRate ?? Infinity) * dt;
      this.latAcc = clamp(this.latAcc + clamp(spring - this.latAcc, rate), c.maxAcceleration);
      this.latVel = clamp(this.latVel + this.latAcc * dt, cap);
      lateral = this.latVel * dt;
      if (!this.spec.continuous && Math.abs(e) < THRESHOLD) this.ended = true;
    } else {
      this.latVel = sign(e) * cap;
      lateral = this.latVel * dt;
      if (sign(e - lateral) !== sign(e)) {
        lateral = e;
        this.latVel = e / dt;
        if (!this.spec.continuous) this.ended = true;
      }
    }
    this.planned = { nx, ny, lateral };
  }

  /** After the step's move: the pose the action sets (entity coordinates, and road ones with constraints). */
  advance(actor: SimActor, dt: number): void {
    const b = this.before;
    if (!b) return;
    this.before = undefined;
    const step = actor.odometer - b.odometer;
    if (this.spec.coordinateSystem === 'entity') this.entityStep(actor, b, step);
    else if (this.planned) this.roadStep(actor, b, step);
    else return;
    actor.yawRate = wrapAngle(actor.heading - b.ah) / dt;
    const vel: [number, number, number] = [actor.speed * Math.cos(actor.heading), actor.speed * Math.sin(actor.heading), actor.vel[2]];
    actor.acc = [(vel[0] - b.speed * Math.cos(b.ah)) / dt, (vel[1] - b.speed * Math.sin(b.ah)) / dt, actor.acc[2]];
    actor.vel = vel;
    this.hold(actor);
    if (this.ended) this.end(actor);
  }

  /** e: the wanted t less the actor's (m), along the unit normal (nx, ny) it is measured on. */
  private roadError(actor: SimActor): { e: number; nx: number; ny: number } {
    const t = this.target;
    if (actor.road && actor.road === t.road) {
      const facing = Math.abs(wrapAngle(t.heading - t.roadHeading)) < Math.PI / 2 ? 1 : -1;
      const nx = -Math.sin(actor.roadHeading), ny = Math.cos(actor.roadHeading);
      return { e: t.referenceST[1] + facing * this.wanted - actor.referenceST[1], nx, ny };
    }
    const nx = -Math.sin(t.heading), ny = Math.cos(t.heading);
    const [ax, ay] = actor.reference, [tx, ty] = t.reference;
    return { e: this.wanted - ((ax - tx) * nx + (ay - ty) * ny), nx, ny };
  }

  /** Road coordinates with constraints: v_lat·dt across, the rest of the step along the road. */
  private roadStep(actor: SimActor, b: NonNullable<LateralDistance['before']>, step: number): void {
    const { nx, ny, lateral } = this.planned!;
    const along = Math.sqrt(Math.max(0, step * step - lateral * lateral));
    // Along the road: the normal turned right, the way the actor was heading.
    const sign = Math.cos(b.ah) * ny - Math.sin(b.ah) * nx >= 0 ? 1 : -1;
    const ux = sign * ny, uy = -sign * nx;
    let x = b.ax + along * ux + lateral * nx, y = b.ay + along * uy + lateral * ny;
    if (actor.path) {
      // On a lane path the move along follows its bend: the same change of offset, that far on.
      const p = actor.path.project(b.ax, b.ay, actor.pathIndex);
      const here = actor.path.pointAt(p.d, 0, p.index);
      const toLeft = nx * -Math.sin(here.heading) + ny * Math.cos(here.heading) >= 0 ? 1 : -1;
      const onward = Math.cos(b.ah - here.heading) >= 0 ? 1 : -1;
      const q = actor.path.pointAt(p.d + onward * along, p.e + toLeft * lateral, p.index);
      x = q.x;
      y = q.y;
    }
    const h = Math.hypot(x - b.ax, y - b.ay) > SMALL ? Math.atan2(y - b.ay, x - b.ax) : b.ah;
    this.place(actor, x, y, h);
  }

  /** Entity coordinates: onto the line W m beside the entity, at once or turning at the limit. */
  private entityStep(actor: SimActor, b: NonNullable<LateralDistance['before']>, step: number): void {
    const ux = Math.cos(b.th), uy = Math.sin(b.th);
    const lx = b.tx - this.wanted * uy, ly = b.ty + this.wanted * ux;
    const along = (b.ax - lx) * ux + (b.ay - ly) * uy;
    const fx = lx + along * ux, fy = ly + along * uy;
    const dx = fx - b.ax, dy = fy - b.ay;
    const dist = Math.hypot(dx, dy);
    const c = this.spec.constraints;
    if (!this.dynamic) {
      const rest = Math.max(0, step - dist);
      this.place(actor, fx + rest * ux, fy + rest * uy, b.th);
      return;
    }
    if (dist < SMALL) {
      this.place(actor, b.ax + step * ux, b.ay + step * uy, b.th);
      return;
    }
    const v = b.speed;
    const radius = Math.max(0.5, (1.5 * v * v) / Math.min(Math.abs(c!.maxAcceleration!), 1000));
    const dhMax = Math.min((1.5 * step) / radius, Math.PI - SMALL);
    if (dist < step / 2 - SMALL && step / 2 > radius - SMALL) {
      // The step reaches past the line: onto it where the step's circle cuts it, the cut nearer the entity's heading.
      const half = Math.sqrt(Math.max(0, step * step - dist * dist));
      const cuts = [[fx + half * ux, fy + half * uy], [fx - half * ux, fy - half * uy]].map(([x, y]) => ({ x, y, h: Math.atan2(y - b.ay, x - b.ax) }));
      const best = Math.abs(wrapAngle(cuts[0].h - b.th)) < Math.abs(wrapAngle(cuts[1].h - b.th)) ? cuts[0] : cuts[1];
      this.place(actor, best.x, best.y, best.h);
      return;
    }
    let dh: number;
    if (dist > radius - SMALL) {
      dh = clamp(wrapAngle(Math.atan2(dy, dx) - b.ah), dhMax);
    } else {
      // Within a turning radius: the bearing to the foot blended into the entity's heading.
      const arc = step / radius;
      const angle = Math.max(Math.acos(1 - dist / radius), arc / 2);
      let w = (2 * angle - arc / 2) / Math.PI;
      w = 3 * w * w - 2 * w * w * w;
      dh = clamp(w * wrapAngle(Math.atan2(dy, dx) - b.ah) + (1 - w) * wrapAngle(b.th - b.ah), dhMax);
    }
    const h = b.ah + dh;
    this.place(actor, b.ax + step * Math.cos(h), b.ay + step * Math.sin(h), h);
  }

  /** The reference point at (x, y) facing h: the body centre lies the reference offset ahead. */
  private place(actor: SimActor, x: number, y: number, h: number): void {
    actor.heading = wrapAngle(h);
    actor.x = x + actor.referenceOffset * Math.cos(actor.heading);
    actor.y = y + actor.referenceOffset * Math.sin(actor.heading);
  }

  /** The lane offset where the actor now is, so the lane follower keeps it (also once the action ends). */
  private hold(actor: SimActor): void {
    if (actor.path) actor.laneOffset = actor.path.project(actor.x, actor.y, actor.pathIndex).e;
  }

  private end(actor: SimActor): void {
    this.ended = true;
    if (actor.lateralDrive === this) actor.lateralDrive = undefined;
    this.onDone();
  }
}

/** esmini's SIGN: −1 below zero, else 1 (so zero counts as positive). */
function sign(v: number): number {
  return v < 0 ? -1 : 1;
}

/** v within ±limit. */
function clamp(v: number, limit: number): number {
  return Math.max(-limit, Math.min(limit, v));
}
