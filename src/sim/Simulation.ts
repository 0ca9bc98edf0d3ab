import { ACTOR_KINDS } from '../core/actorKinds.js';
import { poseFromYaw } from '../core/pose.js';
import { Random } from '../core/Random.js';
import { SimClock } from '../core/SimClock.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { ActorSpec, Scenario } from '../scenario/Scenario.js';
import type { ActorState, WorldState } from './WorldState.js';

interface MovingActor {
  spec: ActorSpec;
  instanceId: number;
  s: number;
  speed: number;
}

/**
 * The fixed-step simulation: every actor keeps its lane at its speed (right-hand traffic:
 * negative lanes drive towards +s, positive lanes towards -s) and stops at the road's end.
 * Time is an integer tick count; nothing here reads the wall clock or Math.random.
 */
export class Simulation {
  readonly clock: SimClock;
  readonly random: Random;
  private readonly network: RoadNetwork;
  private readonly actors: MovingActor[];

  constructor(readonly scenario: Scenario, seed = scenario.seed) {
    this.clock = new SimClock(scenario.step);
    this.random = new Random(seed);
    this.network = scenario.network;
    this.actors = scenario.actors.map((spec, i) => ({ spec, instanceId: i + 1, s: spec.s, speed: spec.speed }));
  }

  /** Advances one step and returns the state at the new time. */
  step(): WorldState {
    const dt = this.clock.step;
    for (const actor of this.actors) {
      const road = this.network.road(actor.spec.road);
      const direction = actor.spec.lane < 0 ? 1 : -1;
      const next = actor.s + direction * actor.speed * dt;
      if (next >= road.length || next <= 0) {
        actor.s = Math.min(Math.max(next, 0), road.length);
        actor.speed = 0;
      } else {
        actor.s = next;
      }
    }
    this.clock.advance();
    return this.state();
  }

  state(): WorldState {
    return { tick: this.clock.tick, t_ns: this.clock.timeNs, actors: this.actors.map((a) => this.actorState(a)) };
  }

  private actorState(actor: MovingActor): ActorState {
    const { spec } = actor;
    const road = this.network.road(spec.road);
    const t = road.laneCenterT(spec.lane, actor.s);
    const p = road.pose(actor.s, t);
    const heading = spec.lane < 0 ? p.heading : p.heading + Math.PI;
    const kind = ACTOR_KINDS[spec.kind];
    return {
      id: spec.id,
      instanceId: actor.instanceId,
      kind: spec.kind,
      ego: spec.ego,
      pose: poseFromYaw(p.x, p.y, p.z, heading),
      heading,
      velocity: [actor.speed * Math.cos(heading), actor.speed * Math.sin(heading), 0],
      speed: actor.speed,
      box: { length: kind.length, width: kind.width, height: kind.height },
      road: spec.road,
      lane: spec.lane,
      s: actor.s,
      t,
    };
  }
}
