import { MeshBuilder } from '../core/MeshBuilder.js';
import type { Random } from '../core/Random.js';
import { classId } from '../core/semantic.js';
import { buildRoadMesh } from '../map/RoadMesh.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';

export interface StaticWorldOptions {
  /** Roadside buildings to place, alternating sides along the roads. */
  buildings: number;
  /** Ground beyond the map's bounds on every side (m). */
  groundMargin?: number;
}

/** Ground surface just under the road, so the road always wins a ray that reaches both. */
const GROUND_DROP = 0.02;
const BUILDING_SETBACK = 3;

/** The static scene: road surfaces and markings, a ground plane, and seeded buildings. */
export function buildStaticWorld(network: RoadNetwork, random: Random, options: StaticWorldOptions): MeshBuilder {
  const mesh = buildRoadMesh(network);
  const bounds = network.bounds();
  const margin = options.groundMargin ?? 100;
  const z = lowestElevation(network) - GROUND_DROP;
  const terrain = classId('terrain');
  const x0 = bounds.minX - margin, x1 = bounds.maxX + margin, y0 = bounds.minY - margin, y1 = bounds.maxY + margin;
  mesh.quad([x0, y0, z], [x1, y0, z], [x1, y1, z], [x0, y1, z], terrain);
  addBuildings(mesh, network, random.split('buildings'), options.buildings);
  return mesh;
}

function lowestElevation(network: RoadNetwork): number {
  let low = Infinity;
  for (const road of network.roads) {
    for (let i = 0; i <= 20; i++) low = Math.min(low, road.elevation.value((road.length * i) / 20));
  }
  return low;
}

function addBuildings(mesh: MeshBuilder, network: RoadNetwork, random: Random, count: number): void {
  const roads = network.roads.filter((r) => r.junction === '-1');
  if (roads.length === 0 || count === 0) return;
  // Points on every lane border, to keep buildings clear of all roads, not only their own.
  const clearance: [number, number][] = [];
  for (const road of network.roads) {
    for (let s = 0; s <= road.length; s += 2) {
      const spans = road.laneSpans(s);
      for (const span of [...spans.left, ...spans.right]) {
        const p = road.pose(s, span.outer);
        clearance.push([p.x, p.y]);
      }
    }
  }
  const building = classId('building');
  let placed = 0;
  let attempts = 0;
  const cursor = roads.map(() => [random.uniform(0, 10), random.uniform(0, 10)]);
  while (placed < count && attempts < count * 20) {
    attempts++;
    const r = attempts % roads.length;
    const road = roads[r];
    const side = (attempts >> 1) % 2 === 0 ? -1 : 1;
    const along = random.uniform(10, 25);
    const depth = random.uniform(8, 16);
    const height = random.uniform(6, 30);
    const sideCursor = cursor[r];
    const index = side < 0 ? 0 : 1;
    const s = sideCursor[index] + along / 2;
    sideCursor[index] += along + random.uniform(3, 12);
    if (s + along / 2 > road.length) continue;
    const spans = road.laneSpans(s);
    const edge = side < 0 ? Math.min(spans.center, ...spans.right.map((x) => x.outer)) : Math.max(spans.center, ...spans.left.map((x) => x.outer));
    const t = edge + side * (BUILDING_SETBACK + depth / 2);
    const p = road.pose(s, t);
    const c = Math.cos(p.heading), sn = Math.sin(p.heading);
    const blocked = clearance.some(([x, y]) => {
      const lx = c * (x - p.x) + sn * (y - p.y);
      const ly = -sn * (x - p.x) + c * (y - p.y);
      return Math.abs(lx) < along / 2 + 1 && Math.abs(ly) < depth / 2 + 1;
    });
    if (blocked) continue;
    mesh.box([p.x, p.y, p.z + height / 2], [along, depth, height], p.heading, building);
    placed++;
  }
}
