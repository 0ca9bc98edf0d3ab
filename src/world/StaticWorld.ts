import { composePose, rotationMatrix } from '../core/pose.js';
import { MeshBuilder, type TriangleSoup } from '../core/MeshBuilder.js';
import { classId } from '../core/semantic.js';
import { buildRoadMesh } from '../map/RoadMesh.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import { StaticActors, type StaticActorSpec } from '../sim/StaticActors.js';
import { actorModel } from './ActorModels.js';
import { actorParts } from './models/actorParts.js';
import { meshSceneryAsBoxes } from './roadside/SceneryBoxes.js';
import { meshMapSignals } from './roadside/SignalHeads.js';
import { meshScenery, type RoadsidePlan } from './RoadsideDressing.js';

export interface StaticWorldOptions {
  /** Ground beyond the map's bounds on every side (m). */
  groundMargin?: number;
  /**
   * How the roadside is drawn: 'detailed' (the default: façades with windows, leafy crowns,
   * street furniture, guardrails) or 'boxes', the plain boxes of earlier versions, which the
   * sensor benchmark keeps as its baseline.
   */
  sceneryDetail?: 'detailed' | 'boxes';
  /**
   * Whether the traffic lights' heads and the signs' plates are in the mesh (the default; a
   * picture of the scene). The sensors' world leaves them out: it places them as instances of
   * their own (World, SignalHeads.signalBodies), so that pixels and points are labelled with them.
   */
  signalBodies?: boolean;
}

/**
 * Half the side of the ground square of a scenario without roads (m): 10 km covers a 30 s run
 * at 300 km/h from anywhere within 7 km of the origin; beyond it, rays see nothing.
 */
export const FREE_SPACE_GROUND = 10_000;

/** Ground surface just under the road, so the road always wins a ray that reaches both. */
const GROUND_DROP = 0.02;

/**
 * The static scene the sensors cast against: road surfaces and markings, a ground plane, and
 * the roadside plan's scenery (buildings, street lights, trees, signs, bollards, guardrails),
 * and the map's traffic lights and signs.
 * The plan's parked cars are not in it: they are actors, placed as instances of their kind's
 * model.
 */
export function buildStaticWorld(network: RoadNetwork, roadside: RoadsidePlan, options: StaticWorldOptions = {}): MeshBuilder {
  const mesh = buildRoadMesh(network);
  // Free space (no roads): the ground alone, flat at z = 0, FREE_SPACE_GROUND around the origin.
  const free = network.roads.length === 0;
  const bounds = free ? { minX: 0, minY: 0, maxX: 0, maxY: 0 } : network.bounds();
  const margin = options.groundMargin ?? (free ? FREE_SPACE_GROUND : 100);
  const z = free ? 0 : lowestElevation(network) - GROUND_DROP;
  const terrain = classId('terrain');
  const x0 = bounds.minX - margin, x1 = bounds.maxX + margin, y0 = bounds.minY - margin, y1 = bounds.maxY + margin;
  mesh.quad([x0, y0, z], [x1, y0, z], [x1, y1, z], [x0, y1, z], terrain);
  if (options.sceneryDetail === 'boxes') meshSceneryAsBoxes(roadside, mesh);
  else meshScenery(roadside, mesh);
  // The map's own traffic lights and signs (OpenDRIVE <signal>).
  meshMapSignals(network, mesh, options.signalBodies ?? true);
  return mesh;
}

/**
 * Most triangles the detailed static actors of a viewer's or an export's scene may take (about
 * 300 parked cars); the ones beyond are drawn as their kind's few boxes. The sensors are not
 * bound by it: they share one mesh per style and size among all actors. A 50 km road holds
 * some 1,400 parked cars, which drawn one by one in detail would be 4.7 million triangles.
 */
export const STATIC_ACTOR_DETAIL_TRIANGLES = 1_000_000;

/**
 * Static actors drawn in the world frame, each in the body style, size and look the run's
 * simulation draws for it from the same seed (its parts posed as the sensors see them), up to
 * STATIC_ACTOR_DETAIL_TRIANGLES: for a viewer's or an export's picture of the whole scene (the
 * sensors place them as instances).
 */
export function staticActorsMesh(actors: readonly StaticActorSpec[], seed: number | string): MeshBuilder {
  const mesh = new MeshBuilder();
  const soups = new Map<string, TriangleSoup>();
  const soupOf = (key: string, build: () => MeshBuilder): TriangleSoup => {
    let soup = soups.get(key);
    if (!soup) soups.set(key, (soup = build().soup()));
    return soup;
  };
  let budget = STATIC_ACTOR_DETAIL_TRIANGLES;
  for (const state of new StaticActors(actors, 1, new Set(), seed).states) {
    const detailed = actorParts(state).map((part) => ({ part, soup: soupOf(part.key, part.build) }));
    const triangles = detailed.reduce((n, { soup }) => n + soup.classes.length, 0);
    const parts = triangles <= budget ? detailed : [{ part: { position: [0, 0, 0] as const, quaternion: [0, 0, 0, 1] as const }, soup: soupOf(`box:${state.kind}`, () => actorModel(state.kind)) }];
    if (triangles <= budget) budget -= triangles;
    for (const { part, soup } of parts) {
      const pose = composePose(state.pose, { p: [...part.position], q: [...part.quaternion] });
      const r = rotationMatrix(pose.q);
      const { positions, classes, materials } = soup;
      const at = (o: number): number[] => [0, 1, 2].map((row) => pose.p[row] + r[row * 3] * positions[o] + r[row * 3 + 1] * positions[o + 1] + r[row * 3 + 2] * positions[o + 2]);
      for (let t = 0; t < classes.length; t++) mesh.triangle(at(t * 9), at(t * 9 + 3), at(t * 9 + 6), classes[t], materials[t]);
    }
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
