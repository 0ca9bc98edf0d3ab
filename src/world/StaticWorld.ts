import { rotationMatrix, quatFromRollPitchYaw } from '../core/pose.js';
import { MeshBuilder } from '../core/MeshBuilder.js';
import { classId } from '../core/semantic.js';
import { buildRoadMesh } from '../map/RoadMesh.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { StaticActorSpec } from '../sim/StaticActors.js';
import { actorModel } from './ActorModels.js';
import { meshScenery, type RoadsidePlan } from './RoadsideDressing.js';

export interface StaticWorldOptions {
  /** Ground beyond the map's bounds on every side (m). */
  groundMargin?: number;
}

/** Ground surface just under the road, so the road always wins a ray that reaches both. */
const GROUND_DROP = 0.02;

/**
 * The static scene the sensors cast against: road surfaces and markings, a ground plane, and
 * the roadside plan's scenery (buildings, street lights, trees, signs, bollards, guardrails).
 * The plan's parked cars are not in it: they are actors, placed as instances of their kind's
 * model.
 */
export function buildStaticWorld(network: RoadNetwork, roadside: RoadsidePlan, options: StaticWorldOptions = {}): MeshBuilder {
  const mesh = buildRoadMesh(network);
  const bounds = network.bounds();
  const margin = options.groundMargin ?? 100;
  const z = lowestElevation(network) - GROUND_DROP;
  const terrain = classId('terrain');
  const x0 = bounds.minX - margin, x1 = bounds.maxX + margin, y0 = bounds.minY - margin, y1 = bounds.maxY + margin;
  mesh.quad([x0, y0, z], [x1, y0, z], [x1, y1, z], [x0, y1, z], terrain);
  meshScenery(roadside, mesh);
  return mesh;
}

/**
 * Static actors drawn in the world frame with their kinds' models: for a viewer's or an
 * export's picture of the whole scene (the sensors place them as instances instead).
 */
export function staticActorsMesh(actors: readonly StaticActorSpec[]): MeshBuilder {
  const mesh = new MeshBuilder();
  for (const actor of actors) {
    const { positions, classes } = actorModel(actor.kind).soup();
    const r = rotationMatrix(quatFromRollPitchYaw(actor.roll, actor.pitch, actor.heading));
    const origin = [actor.x, actor.y, actor.z];
    const at = (o: number): number[] => [0, 1, 2].map((row) => origin[row] + r[row * 3] * positions[o] + r[row * 3 + 1] * positions[o + 1] + r[row * 3 + 2] * positions[o + 2]);
    for (let t = 0; t < classes.length; t++) mesh.triangle(at(t * 9), at(t * 9 + 3), at(t * 9 + 6), classes[t]);
  }
  return mesh;
}

function lowestElevation(network: RoadNetwork): number {
  let low = Infinity;
  for (const road of network.roads) {
    for (let i = 0; i <= 20; i++) low = Math.min(low, road.elevation.value((road.length * i) / 20));
  }
  return low;
}
