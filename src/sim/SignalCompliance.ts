import { Idm, IDM_DEFAULTS, idmAccel, type IdmParams } from '../scenario/controllers/Idm.js';
import type { ControlContext } from '../scenario/controllers/types.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import { turnThrough, type Signal, type Turn } from '../map/Signal.js';
import type { PathRun } from './LanePath.js';
import type { Pedestrian } from '../scenario/controllers/Pedestrian.js';
import type { SimActor } from './Actor.js';
import type { SignalStop, TrafficSignals } from './TrafficSignals.js';
import { Yielding, type YieldPoint } from './Yielding.js';

/**
 * Deceleration (m/s²) a driver accepts to stop for an amber light: the ITE kinematic yellow
 * interval assumes 10 ft/s² = 3.0 m/s² (Traffic Signal Timing Manual, 2nd ed., §5.4). Closer
 * than v²/(2 · 3.0) to the stop line, stopping would need more, and the driver goes on.
 */
export const AMBER_STOP_DECEL = 3.0;
/** Where the front bumper comes to rest before the stop line (m). */
export const STOP_MARGIN = 0.5;
/** How far ahead drivers look for a light (m). */
const LOOKAHEAD = 150;
/** How far along the road from a crosswalk its pedestrian lights may stand (m). */
const WALK_LIGHT_REACH = 4;

/** A stop ahead of an actor along its lane path, with its distance from the front bumper (m, negative once past). */
interface StopAhead {
  stop: SignalStop;
  gap: number;
}

/**
 * Vehicles and traffic lights: drivers stop at the stop line of a red light, and of an amber
 * one they can stop for at AMBER_STOP_DECEL, as IDM does behind a vehicle standing at the line
 * (Treiber and Kesting, "Traffic Flow Dynamics", 2013, §11.3.5: a red light as a virtual
 * standing obstacle); a light flashing red is a stop sign (a full stop, then gap acceptance,
 * Yielding.ts), one flashing amber leaves the junction to its signs; and a front bumper
 * crossing a stop line on red is a red-light infraction.
 */
export class SignalCompliance {
  private readonly byLane = new Map<string, SignalStop[]>();
  /** The front bumper's s on its road after the last step, by actor. */
  private readonly lastFront = new Map<SimActor, { road: string; lane: number; s: number }>();

  private readonly walkLights: Signal[];

  private readonly yielding: Yielding;

  constructor(private readonly signals: TrafficSignals, private readonly network: RoadNetwork, private readonly actors: readonly SimActor[]) {
    this.walkLights = network.signals().filter((s) => s.kind === 'pedestrian_light');
    this.yielding = new Yielding(network);
    for (const stop of signals.stops) {
      for (const lane of stop.lanes) {
        const key = `${stop.roadId}:${lane}`;
        const list = this.byLane.get(key) ?? [];
        list.push(stop);
        this.byLane.set(key, list);
      }
    }
  }

  /**
   * The most acceleration a driver's lights allow (Infinity when they allow anything): drivers
   * of the lane (IDM, lane keeping) that respect signals, not those on a trajectory.
   */
  driverAccel(actor: SimActor, time: number, ctx: ControlContext): number {
    const hasIdm = actor.controllers.some((c) => c.type === 'idm');
    if (!actor.respectSignals || actor.trajectory || !(hasIdm || actor.laneKeeping)) return Infinity;
    const idm = actor.controllers.find((c): c is Idm => c instanceof Idm);
    const params = idm?.params ?? IDM_DEFAULTS;
    const v0 = idm ? idm.desiredSpeed(actor, ctx) : actor.laneKeeping!.desiredSpeed(actor, ctx);
    const light = this.nextStop(actor);
    let a = this.lightAccel(actor, light, time, v0, params) ?? Infinity;
    // Stop and give-way signs, and a light flashing red (a stop sign while it flashes): wait at the line as at a red light while they say so.
    let sign = this.yielding.empty ? undefined : nextAlong(actor, this.yielding.byLane);
    if (light && light.gap >= 0 && (!sign || light.gap < sign.gap) && this.signals.stateAt(light.stop.signalId, time) === 'flashing_red') {
      sign = { point: this.flashingStop(light.stop, actor.lane), gap: light.gap };
    }
    if (sign && sign.gap >= 0) {
      const flashingRed = (road: string, lane: number): boolean => (this.byLane.get(`${road}:${lane}`) ?? []).some((s) => this.signals.stateAt(s.signalId, time) === 'flashing_red');
      if (this.yielding.mustWait(actor, sign.point, sign.gap, this.actors, flashingRed)) a = Math.min(a, idmAccel(params, v0, Math.max(actor.speed, 0), sign.gap + params.minGap - STOP_MARGIN, 0));
    } else this.yielding.passed(actor);
    return a === Infinity ? Infinity : Math.max(a, -actor.kind.maxDecel);
  }

  /** A light's stop on a lane as a stop sign's yield point (one object per stop and lane, which the stop is remembered by). */
  private flashingStop(stop: SignalStop, lane: number): YieldPoint {
    const key = `${stop.signalId}:${stop.roadId}:${lane}:${stop.s}`;
    let point = this.flashingStops.get(key);
    if (!point) this.flashingStops.set(key, (point = this.yielding.stopAt(stop.signalId, stop.roadId, lane, stop.s)));
    return point;
  }
  private readonly flashingStops = new Map<string, YieldPoint>();

  /** Whether any light switches or any sign asks drivers to yield. */
  get active(): boolean {
    return this.signals.active || !this.yielding.empty;
  }

  /** After a step: a vehicle's front bumper over a stop line on red is a `redLight` event naming it and the light. */
  detectRedLights(actors: readonly SimActor[], time: number, emit: (e: { type: 'redLight'; actor: string; signal: string; road: string; lane: number }) => void): void {
    for (const a of actors) {
      if (!a.active || (a.kind.category !== 'vehicle' && a.kind.category !== 'cyclist')) continue;
      for (const stop of this.crossedOnRed(a, time)) emit({ type: 'redLight', actor: a.id, signal: stop.signalId, road: stop.roadId, lane: a.lane });
    }
  }

  /**
   * The acceleration a driver's light allows (IDM toward the line, with the driver's own IDM
   * parameters if it has them), or undefined when no red or stoppable amber light is ahead.
   */
  accel(actor: SimActor, time: number, desiredSpeed: number, params: IdmParams = IDM_DEFAULTS): number | undefined {
    return this.lightAccel(actor, this.nextStop(actor), time, desiredSpeed, params);
  }

  private lightAccel(actor: SimActor, ahead: StopAhead | undefined, time: number, desiredSpeed: number, params: IdmParams): number | undefined {
    if (!ahead || ahead.gap < 0) return undefined;
    const state = this.signals.stateAt(ahead.stop.signalId, time);
    const v = Math.max(actor.speed, 0);
    if (state === 'amber' && (v * v) / (2 * AMBER_STOP_DECEL) > ahead.gap) return undefined;
    if (state !== 'red' && state !== 'amber') return undefined;
    // A vehicle standing with its rear at the line plus s0 - margin: IDM rests s0 behind it.
    return idmAccel(params, desiredSpeed, v, ahead.gap + params.minGap - STOP_MARGIN, 0);
  }

  /**
   * The next stop for a light along the actor's path within LOOKAHEAD, measured from its front
   * bumper: of a light that governs the actor's movement through the junction after it (an
   * arrow light only the movements it shows).
   */
  nextStop(actor: SimActor): StopAhead | undefined {
    const next = nextAlong(actor, this.byLane, (stop, after) => this.governs(stop, after));
    return next && { stop: next.point, gap: next.gap };
  }

  /** Whether a stop's light governs traffic whose path goes on into `after` (the path's next run; absent: straight on). */
  private governs(stop: SignalStop, after: PathRun | undefined): boolean {
    return !stop.turns || stop.turns.includes(after ? this.movement(after) : 'straight');
  }

  /** The movement a path run makes: a junction road's turn, else straight on. */
  private movement(run: PathRun): Turn {
    const key = `${run.road}:${run.lane}`;
    let turn = this.movements.get(key);
    if (!turn) {
      const road = this.network.road(run.road);
      this.movements.set(key, (turn = road.junction !== '-1' ? turnThrough(road, run.lane) : 'straight'));
    }
    return turn;
  }
  private readonly movements = new Map<string, Turn>();

  /**
   * Whether a walker about to cross at a crosswalk waits: the pedestrian lights of its road
   * within WALK_LIGHT_REACH of the crossing, if any is controlled, show no green.
   */
  walkerWaits(walker: Pedestrian, time: number): boolean {
    const at = walker.plan?.crosswalk;
    if (!at || !walker.atLegStart) return false;
    const lights = this.walkLights.filter((l) => l.roadId === at.road && Math.abs(l.s - at.s) <= WALK_LIGHT_REACH);
    const states = lights.map((l) => this.signals.stateAt(l.id, time)).filter((s) => s !== undefined && s !== 'off');
    return states.length > 0 && !states.includes('green');
  }

  /**
   * After a step: the signals whose stop line the actor's front bumper crossed on red in it
   * (on the lanes the stop governs, in their direction of travel).
   */
  crossedOnRed(actor: SimActor, time: number): SignalStop[] {
    if (!actor.road) {
      this.lastFront.delete(actor);
      return [];
    }
    const forward = this.network.road(actor.road).laneRunsWithS(actor.lane);
    const front = { road: actor.road, lane: actor.lane, s: actor.s + (forward ? 1 : -1) * (actor.length / 2) };
    const before = this.lastFront.get(actor);
    this.lastFront.set(actor, front);
    if (!before || before.road !== front.road) return [];
    const crossed: SignalStop[] = [];
    for (const stop of this.byLane.get(`${front.road}:${before.lane}`) ?? []) {
      const over = forward ? before.s < stop.s && front.s >= stop.s : before.s > stop.s && front.s <= stop.s;
      if (over && this.signals.stateAt(stop.signalId, time) === 'red' && this.governs(stop, runAfter(actor, front.road))) crossed.push(stop);
    }
    return crossed;
  }
}

/**
 * The nearest point of `byLane` (points by `road:lane`, at s) along the actor's lane path
 * within LOOKAHEAD, with its distance from the front bumper (points passed by more than
 * STOP_MARGIN are behind); `accept` may pass over a point, told the run the path takes after
 * the point's own.
 */
export function nextAlong<T extends { s: number }>(
  actor: SimActor, byLane: ReadonlyMap<string, readonly T[]>, accept?: (point: T, after: PathRun | undefined) => boolean,
): { point: T; gap: number } | undefined {
  const path = actor.path;
  if (!path || byLane.size === 0) return undefined;
  const d0 = path.project(actor.x, actor.y, actor.pathIndex).d;
  path.ensure(d0 + LOOKAHEAD);
  let best: { point: T; gap: number } | undefined;
  const seen = new Set<string>();
  for (let r = path.runIndex[actor.pathIndex]; r < path.runs.length; r++) {
    const run = path.runs[r];
    if (path.d[run.i0] > d0 + LOOKAHEAD) break;
    const key = `${run.road}:${run.lane}`;
    if (seen.has(key)) continue;
    seen.add(key);
    for (const point of byLane.get(key) ?? []) {
      if (accept && !accept(point, path.runs[r + 1])) continue;
      const d = path.distanceOf(run.road, run.lane, point.s, actor.pathIndex, d0 + LOOKAHEAD);
      if (d === undefined) continue;
      const gap = d - d0 - actor.length / 2;
      if (gap < -STOP_MARGIN) continue;
      if (!best || gap < best.gap) best = { point, gap };
    }
    if (best) break;
  }
  return best;
}

/** The run of the actor's path after its run on `road` (where it goes on to from there), if the path holds one. */
function runAfter(actor: SimActor, road: string): PathRun | undefined {
  const path = actor.path;
  if (!path) return undefined;
  for (let r = path.runIndex[actor.pathIndex]; r < path.runs.length; r++) if (path.runs[r].road === road) return path.runs[r + 1];
  return undefined;
}
