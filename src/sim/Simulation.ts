import { ACTOR_KINDS } from '../core/actorKinds.js';
import { Random } from '../core/Random.js';
import { formatPath } from '../core/ConfigDocument.js';
import { UserError } from '../core/errors.js';
import { SimClock } from '../core/SimClock.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { ExternalCommand } from '../scenario/controllers/External.js';
import { LaneChange } from '../scenario/controllers/LaneChange.js';
import { LaneKeeping } from '../scenario/controllers/LaneKeeping.js';
import type { ControlContext, ControlledActor } from '../scenario/controllers/types.js';
import { describePlacementProblem, placementOrder } from '../scenario/placementOrder.js';
import { isClearWeather, type ActionWithName, type ActorSpec, type ControllerSpec, type Dynamics, type Position, type Scenario, type Weather } from '../scenario/Scenario.js';
import { actorState, SimActor } from './Actor.js';
import { drawActorBuild } from './BodyStyles.js';
import { Collisions } from './Collisions.js';
import { addController } from './ControllerSetup.js';
import { Ghost } from './Ghost.js';
import { integrate, profileProgress, profileSpeed, speedProfileCommand, type Command } from './Integrator.js';
import { pathDistance, pathSteer } from './PathSteering.js';
import { StaticActors, type StaticActorSpec } from './StaticActors.js';
import { checkStartOverlaps } from './StartOverlaps.js';
import type { SimEvent } from './events.js';
import { LanePath, wrapAngle } from './LanePath.js';
import { CriticalityMonitor } from './CriticalityMonitor.js';
import { SignalCompliance } from './SignalCompliance.js';
import { SpeedLimits } from './SpeedLimits.js';
import { TrafficSignals } from './TrafficSignals.js';
import { TrafficQueries } from './TrafficQueries.js';
import { Storyboard, type ActionHandle, type StoryboardHost } from './Storyboard.js';
import { startAction } from './StoryboardActions.js';
import { laneAt, resolvePosition, type ResolvedPosition } from './Positions.js';
import { trackRoadState } from './RoadConditions.js';
import { laneRoute } from './Routes.js';
import { distanceToPoint, euclideanDistance, lateralDistance, longitudinalDistance, relativeDistance, timeHeadway, timeToCollision, type DistanceHow } from './Distances.js';
import type { ScenarioOutcome, WorldState } from './WorldState.js';

type NewEvent = SimEvent extends infer E ? (E extends unknown ? Omit<E, 'tick' | 't_ns'> : never) : never;

export interface SimulationOptions {
  /** Skip cannon-es contact detection (for measurements). */
  collisions?: boolean;
  /** Actors the world puts there that never move (roadside parked cars): see StaticActors. */
  staticActors?: readonly StaticActorSpec[];
}

/**
 * The fixed-step simulation. Vehicles are kinematic bicycle models steered by pure pursuit
 * along lane paths, with longitudinal commands from their controllers (speed control, IDM,
 * stop, external pedals) or from storyboard speed profiles; pedestrians walk; props stand.
 * Road height, pitch and roll come from the RoadNetwork, never from the road mesh. cannon-es
 * finds contacts between actors, which become `collision` events. After the world moves, the
 * storyboard evaluates its triggers and starts actions. Time is an integer tick count;
 * nothing here reads the wall clock or Math.random, and every loop runs in actor order.
 */
export class Simulation implements StoryboardHost {
  readonly clock: SimClock;
  readonly random: Random;
  readonly network: RoadNetwork;
  readonly actors: SimActor[];
  readonly statics: StaticActors;
  private readonly byId = new Map<string, SimActor>();
  private readonly collisions?: Collisions;
  private readonly storyboard: Storyboard;
  private readonly speedLimits: SpeedLimits;
  /** The map's traffic lights, their plans and states (TrafficSignals.ts), and drivers obeying them. */
  readonly trafficSignals: TrafficSignals;
  private readonly signalCompliance: SignalCompliance;
  /** The ego's criticality metrics each tick, the run's extremes and every vehicle's infractions. */
  readonly criticality: CriticalityMonitor;
  private events: SimEvent[] = [];
  private drained = 0;
  private allEvents: SimEvent[] = [];
  private readonly traffic: TrafficQueries;
  private readonly ctx: ControlContext;
  private stepping = false;
  /** esmini's ghost of a FollowGhostController entity (Ghost.ts), if any. */
  readonly ghost?: Ghost;
  /** Steps of the ghost's head start still to run: the time is negative until they are done. */
  private preRollTicks = 0;
  outcome?: ScenarioOutcome;
  /** The weather in force: the scenario's, until a storyboard action sets another. */
  private weather?: Weather;

  constructor(readonly scenario: Scenario, seed = scenario.seed, options: SimulationOptions = {}) {
    this.clock = new SimClock(scenario.step);
    this.weather = scenario.weather;
    this.random = new Random(seed);
    this.network = scenario.network;
    this.speedLimits = (scenario.mapFile ? SpeedLimits.read(scenario.mapFile) : new SpeedLimits()).withSigns(this.network);
    this.trafficSignals = new TrafficSignals(this.network, seed, scenario.signals);
    this.criticality = new CriticalityMonitor(this.network, this.speedLimits, scenario.objectives);
    if (options.collisions !== false) this.collisions = new Collisions();
    // Each actor's style, size and look come from the seed and its id alone (not its place in the file).
    this.actors = scenario.actors.map((spec, i) => new SimActor(spec, i + 1, ACTOR_KINDS[spec.kind], drawActorBuild(seed, spec.id, spec.kind, spec.dimensions)));
    for (const a of this.actors) this.byId.set(a.id, a);
    this.signalCompliance = new SignalCompliance(this.trafficSignals, this.network, this.actors);
    this.statics = new StaticActors(options.staticActors ?? [], this.actors.length + 1, new Set(this.byId.keys()), seed);
    for (const a of this.statics.actors) this.collisions?.add(a);
    this.traffic = new TrafficQueries(this.network, this.actors);
    this.ctx = this.makeContext();
    for (const actor of this.actors) {
      actor.active = !actor.spec.spawnLater;
      actor.speed = actor.spec.speed;
      actor.targetSpeed = actor.spec.speed;
    }
    // An actor placed relative to another goes after it, whatever the declaration order.
    const where = scenario.locate ?? ((path: readonly (string | number)[]) => `${scenario.file} (${formatPath(path)})`);
    const placement = placementOrder(scenario.actors);
    if ('problem' in placement) throw new UserError(describePlacementProblem(placement.problem, scenario.actors), where(['actors', placement.problem.index, 'position']));
    for (const actor of placement.order.map((i) => this.actors[i])) {
      if (!actor.active) continue;
      this.place(actor, actor.spec.position);
      this.setupControllers(actor, actor.spec.controllers);
      this.collisions?.add(actor);
    }
    checkStartOverlaps(this.actors, this.statics.actors, where);
    const ghosted = Ghost.setup(this.actors, scenario.storyboard);
    this.ghost = ghosted.ghost;
    if (this.ghost) this.startGhost(this.ghost);
    this.storyboard = new Storyboard(ghosted.storyboard, this);
    this.storyboard.update();
    if (this.ghost) this.preRoll(this.ghost);
  }

  /** The ghost starts as a copy of its entity, known by its id but not an actor of the world. */
  private startGhost(ghost: Ghost): void {
    this.byId.set(ghost.actor.id, ghost.actor);
    this.place(ghost.actor, ghost.entity.spec.position);
    this.setupControllers(ghost.actor, ghost.actor.spec.controllers.filter((c) => c.type !== 'external'));
    this.preRollTicks = ghost.headstartTicks(this.clock.stepNs);
  }

  /**
   * The ghost's head start, as esmini runs it: from t = −headstartTime the storyboard and the
   * ghost step alone until t = 0 (the constructor evaluated the storyboard at −headstartTime).
   * Storyboard events of that time are reported at tick 0. A ghost restart runs it again from
   * the restart's time less headstartTime, its events reported at the restart's tick.
   */
  private preRoll(ghost: Ghost): void {
    const dt = this.clock.step;
    while (this.preRollTicks > 0) {
      const c = this.control(ghost.actor, dt);
      if (c) integrate(ghost.actor, c, dt);
      this.preRollTicks--;
      ghost.actor.trajectory?.advance(ghost.actor, this.time, dt);
      ghost.record(this.time);
      this.afterMove(ghost.actor);
      this.storyboard.update();
    }
  }

  // ---------------------------------------------------------------- public API

  get time(): number {
    return this.preRollTicks > 0 ? (this.clock.timeNs - this.preRollTicks * this.clock.stepNs) / 1e9 : this.clock.time;
  }

  get finished(): boolean {
    return this.outcome !== undefined;
  }

  actor(id: string): SimActor | undefined {
    return this.byId.get(id);
  }

  /** Events since the last drain (every tick's, in order). */
  drainEvents(): SimEvent[] {
    const out = this.allEvents.slice(this.drained);
    this.allEvents = [];
    this.drained = 0;
    return out;
  }

  /** Whether an actor (the ego by default) takes external commands. */
  acceptsCommands(actorId?: string): boolean {
    const actor = actorId ? this.byId.get(actorId) : this.actors.find((a) => a.spec.ego);
    return actor?.external !== undefined;
  }

  /**
   * An external command for an actor with an `external` controller (the ego by default):
   * the `ego` control message. Returns an error message, or undefined when accepted.
   */
  command(cmd: ExternalCommand, actorId?: string): string | undefined {
    const actor = actorId ? this.byId.get(actorId) : this.actors.find((a) => a.spec.ego);
    if (!actor) return `no actor "${actorId}"`;
    if (!actor.external) return `actor "${actor.id}" has no external controller`;
    actor.external.command(cmd, actor);
    return undefined;
  }

  /** Advances one step and returns the state at the new time. */
  step(): WorldState {
    this.events = [];
    const dt = this.clock.step;
    this.traffic.invalidate();
    // Events from the control phase belong to the tick this step produces.
    this.stepping = true;
    // The ghost moves with the world, after it (it is no actor of it).
    const movers = this.ghost ? [...this.actors, this.ghost.actor] : this.actors;
    const commands: (Command | undefined)[] = movers.map((a) => (a.active ? this.control(a, dt) : undefined));
    movers.forEach((a, i) => {
      const c = commands[i];
      if (c) integrate(a, c, dt);
      if (c) a.lateralDrive?.advance(a, dt);
    });
    this.clock.advance();
    for (const a of movers) if (a.active) a.trajectory?.advance(a, this.clock.time, dt);
    // As in esmini, the chase sees the trail up to the last step, then the ghost's new sample joins it.
    const blind = this.ghost?.blindStep ?? false;
    for (const a of this.actors) if (a.active) a.ghostFollower?.advance(a, this.clock.time, dt, blind);
    if (this.ghost) this.ghost.blindStep = false;
    this.ghost?.record(this.clock.time);
    this.stepping = false;
    this.traffic.invalidate();
    for (const a of movers) if (a.active) this.afterMove(a);
    if (this.trafficSignals.active) this.signalCompliance.detectRedLights(this.actors, this.clock.time, (e) => this.emit(e));
    this.detectCollisions(dt);
    this.criticality.update(this.clock.time, dt, this.actors, (ego) => this.traffic.leader(ego, 150), (e) => this.emit(e));
    if (!this.outcome) this.storyboard.update();
    // A ghost restart this step: the ghost replays its head start while the world waits.
    if (this.ghost && this.preRollTicks > 0 && !this.outcome) this.preRoll(this.ghost);
    return this.state();
  }

  state(): WorldState {
    const state: WorldState = {
      tick: this.clock.tick,
      t_ns: this.clock.timeNs,
      actors: this.actors.filter((a) => a.active).map((a) => actorState(a)).concat(this.statics.states),
      events: this.events.filter((e) => e.tick === this.clock.tick),
    };
    if (this.outcome) state.outcome = this.outcome;
    if (this.weather) state.weather = this.weather;
    if (this.trafficSignals.active) state.signals = this.trafficSignals.stateTable(this.clock.time);
    return state;
  }

  // ---------------------------------------------------------------- placement

  /** Puts an actor at a position: pose, road coordinates, and a lane path for vehicles. */
  place(actor: SimActor, position: Position): void {
    const p = resolvePosition(this.network, position, this.byId);
    actor.x = p.x;
    actor.y = p.y;
    actor.heading = wrapAngle(p.heading);
    actor.lateral = undefined;
    actor.path = undefined;
    actor.pathIndex = 0;
    actor.rearIndex = 0;
    actor.laneOffset = 0;
    if (actor.isVehicle) {
      let road = p.road, lane = p.lane, s = p.s;
      if (lane === undefined) {
        const found = this.network.worldToRoad(p.x, p.y, p.z, 3);
        if (found) ({ road, lane, s } = found);
      }
      if (road !== undefined && lane !== undefined && s !== undefined) {
        let path = LanePath.at(this.network, road, lane, s, laneRoute(this.network, actor));
        if (path) {
          let proj = path.project(p.x, p.y, 0);
          const along = path.pointAt(proj.d, 0, proj.index);
          if (Math.abs(wrapAngle(along.heading - actor.heading)) > Math.PI / 2) {
            // Placed facing against the lane's traffic: follow the lane that way.
            path = LanePath.at(this.network, road, lane, s, [], true)!;
            proj = path.project(p.x, p.y, 0);
          }
          actor.path = path;
          actor.pathIndex = proj.index;
          actor.rearIndex = proj.index;
          actor.laneOffset = proj.e;
        }
      }
    }
    actor.vel = [actor.speed * Math.cos(actor.heading), actor.speed * Math.sin(actor.heading), 0];
    this.afterMove(actor, true);
  }

  setupControllers(actor: SimActor, specs: ControllerSpec[]): void {
    actor.controllers = [];
    actor.respectSignals = actor.spec.respectSignals ?? true;
    if (actor.isVehicle) {
      const lk = specs.find((c): c is Extract<ControllerSpec, { type: 'laneKeeping' }> => c.type === 'laneKeeping');
      actor.laneKeeping = new LaneKeeping(lk ?? {});
      if (lk?.targetSpeed !== undefined) actor.targetSpeed = lk.targetSpeed;
    }
    for (const spec of specs) this.addController(actor, spec);
  }

  addController(actor: SimActor, spec: ControllerSpec): void {
    if (spec.type === 'followGhost') {
      // Only the ghost's own entity chases; it is placed back on the road when it stops.
      if (this.ghost?.chase(actor, spec)) this.afterMove(actor, true);
    } else {
      addController(this, actor, spec);
    }
  }

  /** esmini's AddedGhostTeleport: the ghost to its entity; after t = 0 (outside a replay) a restart (Ghost.restart). */
  restartGhost(): void {
    const ghost = this.ghost;
    if (!ghost) return;
    this.place(ghost.actor, { type: 'world', x: ghost.entity.x, y: ghost.entity.y, heading: ghost.entity.heading });
    if (this.time <= 1e-6 || this.preRollTicks > 0) return;
    ghost.restart();
    this.storyboard.resetGhostEvents(ghost.actor.id);
    this.preRollTicks = ghost.headstartTicks(this.clock.stepNs);
  }

  /** Switches the FollowGhostController off: the actor drives on from where it is. */
  stopChasing(actor: SimActor): void {
    if (this.ghost?.chase(actor, undefined)) this.place(actor, { type: 'world', x: actor.x, y: actor.y, heading: actor.heading });
  }

  // ---------------------------------------------------------------- control

  private control(actor: SimActor, dt: number): Command | undefined {
    const category = actor.kind.category;
    if (category === 'prop' || actor.ghostFollower) return undefined;
    if (category === 'pedestrian') {
      if (actor.pedestrian?.plan) {
        // At the kerb of a signalled crosswalk, walkers wait for their green.
        if (this.trafficSignals.active && this.signalCompliance.walkerWaits(actor.pedestrian, this.time)) return { accel: -actor.speed / dt };
        return { accel: actor.pedestrian.update(actor, this.ctx).accel ?? 0 };
      }
      // No walk plan: walk straight on at the target speed (SpeedActions set it).
      const v = actor.speedProfile ? profileSpeed(actor, this.time + dt) : actor.targetSpeed;
      return { accel: (v - actor.speed) / dt };
    }
    const time = this.time;
    let accel = Infinity;
    let steer: number | undefined;
    let setSpeed: number | undefined;
    const ext = actor.external?.update(actor, this.ctx);
    for (const c of actor.controllers) {
      const out = c.update(actor, this.ctx);
      if (out?.accel !== undefined && c.type !== 'mobil') accel = Math.min(accel, out.accel);
    }
    const hasIdm = actor.controllers.some((c) => c.type === 'idm');
    if (!hasIdm && actor.laneKeeping) accel = Math.min(accel, actor.laneKeeping.update(actor, this.ctx).accel!);
    if (this.signalCompliance.active) accel = Math.min(accel, this.signalCompliance.driverAccel(actor, time, this.ctx));
    if (actor.stopAt) {
      const out = actor.stopAt.update(actor, this.ctx);
      if (out.accel !== undefined) accel = Math.min(accel, out.accel);
    }
    if (actor.speedProfile && !actor.stopAt) ({ accel, setSpeed } = speedProfileCommand(actor, time, dt));
    if (actor.longitudinalDrive) {
      const out = actor.longitudinalDrive.command(actor, dt);
      if (out) ({ accel, setSpeed } = out);
    }
    actor.lateralDrive?.command(actor, dt);
    if (ext?.accel !== undefined) {
      accel = ext.accel;
      setSpeed = undefined;
    }
    if (ext?.steer !== undefined) steer = ext.steer;
    // Never drive off the end of the lanes.
    if (actor.path?.ended) {
      const remaining = actor.path.length - pathDistance(actor) - actor.length / 2;
      const v = actor.speed;
      if (remaining < 0.05) accel = Math.min(accel, -v / dt);
      else if ((v * v) / (2 * remaining) > 2) accel = Math.min(accel, -(v * v) / (2 * remaining));
    }
    if (!Number.isFinite(accel)) accel = 0;
    if (steer === undefined) steer = pathSteer(actor, time);
    return { accel, steer, setSpeed };
  }

  /** Road coordinates, height from the road network, and profile bookkeeping after a move. */
  private afterMove(actor: SimActor, placing = false): void {
    const time = this.time;
    if (actor.path) {
      const path = actor.path;
      const proj = path.project(actor.x, actor.y, actor.pathIndex);
      actor.pathIndex = proj.index;
      const at = path.roadAt(proj);
      const shift = path.trim(Math.min(actor.pathIndex, actor.rearIndex));
      if (shift > 0) {
        actor.pathIndex -= shift;
        actor.rearIndex -= shift;
      }
      const road = this.network.road(at.road);
      actor.road = at.road;
      actor.s = at.s;
      actor.t = at.tCenter + (at.forward ? proj.e : -proj.e);
      actor.section = at.section;
      actor.lane = laneAt(road, at.s, actor.t, at.lane);
    } else {
      const found = this.network.worldToRoad(actor.x, actor.y, undefined, 5);
      if (found) {
        actor.road = found.road;
        actor.lane = found.lane;
        actor.s = found.s;
        actor.t = found.t;
        actor.section = found.section;
      } else {
        actor.road = '';
      }
    }
    if (actor.road) {
      const road = this.network.road(actor.road);
      const frame = road.pose(Math.min(Math.max(actor.s, 0), road.length), actor.t);
      let z = frame.z;
      if (actor.kind.category === 'pedestrian' || actor.kind.category === 'prop') {
        const section = road.sectionAt(actor.s);
        const span = road.laneSpan(actor.lane, actor.s, section);
        if (span) {
          const f = span.outer !== span.inner ? (actor.t - span.inner) / (span.outer - span.inner) : 0;
          z += road.surfaceHeight(span.lane, section, actor.s, Math.min(Math.max(f, 0), 1));
        }
      }
      actor.z = z;
      actor.roadHeading = frame.heading;
      const along = Math.cos(wrapAngle(actor.heading - frame.heading));
      actor.pitch = frame.pitch * along;
      actor.roll = frame.roll * along;
    }
    // Speed is plan speed (x and y advance by it), so the height changes at speed·tan(pitch).
    const vz = actor.pitch === 0 ? 0 : actor.speed * Math.tan(actor.pitch);
    if (!placing) actor.acc[2] = (vz - actor.vel[2]) / this.clock.step;
    actor.vel[2] = vz;
    // Off road / at the road's end from the moment it is so, placement included.
    trackRoadState(this.network, actor, time);
    if (placing) return;
    // (A trajectory driven backwards reports a negative speed, as esmini's.)
    if (Math.abs(actor.speed) >= 1e-3) actor.standStillSince = time;
    // Profiles that ended this tick.
    if (actor.lateral && actor.lateral.done(time, actor.odometer)) {
      const lane = actor.lateral.targetLane ?? actor.lane;
      actor.lateral = undefined;
      actor.laneChangesDone++;
      this.emit({ type: 'laneChangeDone', actor: actor.id, lane, reason: 'profile complete' });
      const cb = actor.onLateralDone;
      actor.onLateralDone = undefined;
      cb?.();
    }
    if (actor.offsetChange && actor.offsetChange.done(time, actor.odometer)) {
      actor.laneOffset = actor.offsetChange.to;
      actor.offsetChange = undefined;
      const cb = actor.onOffsetDone;
      actor.onOffsetDone = undefined;
      cb?.();
    }
    const profile = actor.speedProfile;
    // Within a Performance, the action ends once the (capped) target speed is reached, as esmini's.
    if (profile && !profile.continuous && profileProgress(actor, time) >= 1 - 1e-9 && (!actor.performance || Math.abs(actor.speed - profile.target()) < 1e-6)) {
      actor.targetSpeed = profile.target();
      actor.speedProfile = undefined;
      profile.onDone?.();
    }
  }

  // ---------------------------------------------------------------- collisions

  private detectCollisions(dt: number): void {
    if (!this.collisions) return;
    for (const contact of this.collisions.detect(dt)) {
      const { a, b } = contact;
      if (!a.collisions.includes(b.id)) a.collisions.push(b.id);
      if (!b.collisions.includes(a.id)) b.collisions.push(a.id);
      this.emit({ type: 'collision', actors: [a.id, b.id], impulse: contact.impulse, point: contact.point, normal: contact.normal, closingSpeed: contact.closingSpeed });
      // Plastic crash response along the normal, projected on each heading.
      for (const [actor, sign] of [[a, -1], [b, 1]] as const) {
        if (actor.kind.category === 'prop') continue;
        const dv = (sign * contact.impulse) / actor.mass;
        const along = dv * (contact.normal[0] * Math.cos(actor.heading) + contact.normal[1] * Math.sin(actor.heading));
        actor.speed = Math.max(0, actor.speed + along);
      }
    }
  }

  // ---------------------------------------------------------------- controller context

  private makeContext(): ControlContext {
    const sim = this;
    return {
      get dt() { return sim.clock.step; },
      get time() { return sim.time; },
      leader: (actor, range) => sim.traffic.leader(actor as SimActor, range ?? 150),
      follower: (actor, range) => sim.traffic.follower(actor as SimActor, range ?? 100),
      adjacent: (actor, side, range) => sim.traffic.adjacent(actor as SimActor, side, range ?? 100),
      speedLimit: (actor) => {
        const a = actor as SimActor;
        return a.road ? sim.speedLimits.limit(a.road, a.section, a.lane, a.s) : undefined;
      },
      changeLane: (actor, lane, dynamics, reason) => sim.changeLane(actor as SimActor, lane, dynamics, reason),
    };
  }

  /** Distance from an actor's centre to a point (road, s) ahead along its path. */
  distanceAlong(actor: SimActor, road: string, s: number): number | undefined {
    const path = actor.path;
    if (!path) {
      if (actor.road !== road) return undefined;
      return Math.abs(s - actor.s);
    }
    const d0 = path.project(actor.x, actor.y, actor.pathIndex).d;
    path.ensure(d0 + 2000);
    const d = path.distanceOf(road, undefined, s, actor.pathIndex, d0 + 2000);
    return d === undefined ? undefined : d - d0;
  }

  changeLane(actor: SimActor, lane: number, dynamics: Dynamics, reason: string, targetOffset = 0): boolean {
    if (!actor.road || !actor.isVehicle) return false;
    let path = LanePath.at(this.network, actor.road, lane, actor.s);
    if (!path) return false;
    let proj = path.project(actor.x, actor.y, 0);
    if (Math.abs(wrapAngle(path.pointAt(proj.d, 0, proj.index).heading - actor.heading)) > Math.PI / 2) {
      // The target lane carries traffic the other way: drive along it against its direction.
      path = LanePath.at(this.network, actor.road, lane, actor.s, [], true)!;
      proj = path.project(actor.x, actor.y, 0);
    }
    const from = actor.lane;
    // The lateral reference moves from where the body is to the target lane's centre (+ offset).
    const current = proj.e - actor.laneOffset;
    actor.path = path;
    actor.pathIndex = proj.index;
    actor.rearIndex = proj.index;
    if (actor.onLateralDone) {
      const cb = actor.onLateralDone;
      actor.onLateralDone = undefined;
      cb();
    }
    actor.lateral = new LaneChange(current, targetOffset, dynamics, this.time, actor.odometer, lane);
    this.emit({ type: 'laneChangeStart', actor: actor.id, from, to: lane, reason });
    return true;
  }

  // ---------------------------------------------------------------- storyboard host

  emit(event: NewEvent): void {
    const ahead = this.stepping ? 1 : 0;
    const e = { tick: this.clock.tick + ahead, t_ns: this.clock.timeNs + ahead * this.clock.stepNs, ...event } as SimEvent;
    this.events.push(e);
    this.allEvents.push(e);
  }

  setWeather(weather: Weather): void {
    this.weather = isClearWeather(weather) ? undefined : weather;
  }

  end(result: 'success' | 'failure' | 'stopped', reason: string): void {
    if (this.outcome) return;
    this.outcome = { result, reason, t_ns: this.clock.timeNs };
    this.storyboard.ended = true;
    this.emit({ type: 'end', outcome: result, reason });
  }

  longitudinalDistance(a: SimActor, b: SimActor, freespace: boolean): number | undefined {
    return longitudinalDistance(this.network, a, b, freespace);
  }

  lateralDistance(a: SimActor, b: SimActor, freespace: boolean): number {
    return lateralDistance(a, b, freespace);
  }

  euclideanDistance(a: SimActor, b: SimActor, freespace: boolean): number {
    return euclideanDistance(a, b, freespace);
  }

  relativeDistance(a: SimActor, b: SimActor, how: DistanceHow): number | undefined {
    return relativeDistance(this.network, a, b, how);
  }

  timeHeadway(a: SimActor, b: SimActor, how: DistanceHow): number | undefined {
    return timeHeadway(this.network, a, b, how);
  }

  timeToCollision(a: SimActor, b: SimActor, how: DistanceHow): number | undefined {
    return timeToCollision(this.network, a, b, how);
  }

  distanceTo(a: SimActor, position: Position, how: DistanceHow): number | undefined {
    return distanceToPoint(this.network, a, resolvePosition(this.network, position, this.byId), how);
  }

  distanceToPosition(a: SimActor, position: Position): number {
    const p = resolvePosition(this.network, position, this.byId);
    return Math.hypot(p.x - a.x, p.y - a.y);
  }

  resolve(position: Position): ResolvedPosition {
    return resolvePosition(this.network, position, this.byId);
  }

  startAction(action: ActionWithName): ActionHandle {
    return startAction(this, action);
  }

  /** Brings an inactive actor into the world (a storyboard `spawn`). */
  spawn(actor: SimActor, position: Position | undefined, speed: number | undefined): void {
    if (actor.active) return;
    actor.active = true;
    if (speed !== undefined) {
      actor.speed = speed;
      actor.targetSpeed = speed;
    }
    this.place(actor, position ?? actor.spec.position);
    this.setupControllers(actor, actor.spec.controllers);
    this.collisions?.add(actor);
    this.emit({ type: 'spawn', actor: actor.id });
  }

  /** Takes an actor out of the world (a storyboard `remove`). */
  remove(actor: SimActor): void {
    if (!actor.active) return;
    actor.active = false;
    this.collisions?.remove(actor);
    this.emit({ type: 'remove', actor: actor.id });
  }
}

export type { ControlledActor, ActorSpec };
