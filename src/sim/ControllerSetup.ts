import type { RoadNetwork } from '../map/RoadNetwork.js';
import { External } from '../scenario/controllers/External.js';
import { Idm } from '../scenario/controllers/Idm.js';
import { LaneKeeping } from '../scenario/controllers/LaneKeeping.js';
import { Mobil } from '../scenario/controllers/Mobil.js';
import { Pedestrian } from '../scenario/controllers/Pedestrian.js';
import { StopAt } from '../scenario/controllers/StopAt.js';
import type { ControllerSpec } from '../scenario/Scenario.js';
import type { SimActor } from './Actor.js';
import { LanePath } from './LanePath.js';
import { laneRoute } from './Routes.js';
import { walkPlan } from './WalkPlanner.js';

/** What attaching a controller needs of the simulation. */
export interface ControllerHost {
  readonly network: RoadNetwork;
  distanceAlong(actor: SimActor, road: string, s: number): number | undefined;
}

/**
 * Attaches a controller to an actor (at placement, or by a storyboard `controller` action).
 * A FollowGhostController is the simulation's own business (it needs the ghost): see Ghost.ts.
 */
export function addController(sim: ControllerHost, actor: SimActor, spec: ControllerSpec): void {
  switch (spec.type) {
    case 'laneKeeping':
      actor.laneKeeping = new LaneKeeping(spec);
      if (spec.respectSignals !== undefined) actor.respectSignals = spec.respectSignals;
      if (spec.targetSpeed !== undefined) actor.targetSpeed = spec.targetSpeed;
      break;
    case 'idm':
      actor.controllers = actor.controllers.filter((c) => c.type !== 'idm');
      actor.controllers.push(new Idm(spec));
      if (spec.respectSignals !== undefined) actor.respectSignals = spec.respectSignals;
      break;
    case 'mobil': {
      const idm = actor.controllers.find((c): c is Idm => c instanceof Idm);
      actor.controllers = actor.controllers.filter((c) => c.type !== 'mobil');
      actor.controllers.push(new Mobil(spec, idm?.params));
      break;
    }
    case 'route':
      // At placement routes shape the lane path; later (AssignRouteAction) it is rebuilt from here.
      if (actor.path && actor.road) {
        const lanes = laneRoute(sim.network, actor, spec.waypoints, { road: actor.road, lane: actor.lane, s: actor.s });
        const path = LanePath.at(sim.network, actor.road, actor.lane, actor.s, lanes);
        if (path) {
          const proj = path.project(actor.x, actor.y, 0);
          actor.path = path;
          actor.pathIndex = proj.index;
          actor.rearIndex = proj.index;
        }
      }
      break;
    case 'stopAt':
      actor.stopAt = new StopAt({ road: spec.road, s: spec.s }, spec.decel ?? 4, (a, road, s) => sim.distanceAlong(a as SimActor, road, s));
      break;
    case 'pedestrian': {
      const ped = new Pedestrian(spec.mode, spec.speed, spec.start !== 'onAction', spec.heading, spec.distance);
      actor.pedestrian = ped;
      if (ped.startNow) ped.start(walkPlan(sim.network, actor, spec.mode, spec.speed, spec.heading, spec.distance));
      break;
    }
    case 'external':
      actor.external = new External();
      break;
    case 'followGhost':
      break;
  }
}
