import { MeshBuilder } from '../core/MeshBuilder.js';
import type { Random } from '../core/Random.js';
import { classId } from '../core/semantic.js';
import { buildRoadMesh } from '../map/RoadMesh.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import { RoadsideDressing, type DressingOptions } from './RoadsideDressing.js';

export interface StaticWorldOptions extends DressingOptions {
  /** Ground beyond the map's bounds on every side (m). */
  groundMargin?: number;
}

/** Ground surface just under the road, so the road always wins a ray that reaches both. */
const GROUND_DROP = 0.02;

/** The static scene: road surfaces and markings, a ground plane, and seeded roadside objects. */
export function buildStaticWorld(network: RoadNetwork, random: Random, options: StaticWorldOptions): MeshBuilder {
  const mesh = buildRoadMesh(network);
  const bounds = network.bounds();
  const margin = options.groundMargin ?? 100;
  const z = lowestElevation(network) - GROUND_DROP;
  const terrain = classId('terrain');
  const x0 = bounds.minX - margin, x1 = bounds.maxX + margin, y0 = bounds.minY - margin, y1 = bounds.maxY + margin;
  mesh.quad([x0, y0, z], [x1, y0, z], [x1, y1, z], [x0, y1, z], terrain);
  new RoadsideDressing(network, mesh, random.split('dressing')).dress(options);
  return mesh;
}

function lowestElevation(network: RoadNetwork): number {
  let low = Infinity;
  for (const road of network.roads) {
    for (let i = 0; i <= 20; i++) low = Math.min(low, road.elevation.value((road.length * i) / 20));
  }
  return low;
}
