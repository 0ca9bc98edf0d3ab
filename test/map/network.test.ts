import { describe, expect, it } from 'vitest';
import { parseOpenDrive, readOpenDrive } from '../../src/map/OpenDriveReader.js';
import type { RoadNetwork } from '../../src/map/RoadNetwork.js';
import { T_JUNCTION } from './fixtures.js';

/** A small deterministic generator, so round-trip points are the same on every run. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function roundTrips(network: RoadNetwork, count: number, seed: number): void {
  const random = lcg(seed);
  const roads = network.roads.filter((r) => r.junction === '-1');
  for (let i = 0; i < count; i++) {
    const road = roads[Math.floor(random() * roads.length)];
    const s = road.length * (0.02 + 0.96 * random());
    const spans = road.laneSpans(s);
    const lanes = [...spans.left, ...spans.right].filter((x) => Math.abs(x.outer - x.inner) > 0.5);
    const span = lanes[Math.floor(random() * lanes.length)];
    // Stay 0.1 m inside the lane so the lane it belongs to is not in doubt.
    const f = 0.05 + 0.9 * random();
    const t = span.inner + f * (span.outer - span.inner);
    const p = road.pose(s, t);
    const found = network.worldToRoad(p.x, p.y, p.z);
    expect(found, `road ${road.id} s=${s} t=${t}`).toBeDefined();
    expect(found!.road).toBe(road.id);
    expect(found!.lane).toBe(span.lane.id);
    expect(found!.s).toBeCloseTo(s, 6);
    expect(found!.t).toBeCloseTo(t, 6);
    expect(found!.distance).toBe(0);
    const back = road.pose(found!.s, found!.t);
    expect(Math.hypot(back.x - p.x, back.y - p.y, back.z - p.z)).toBeLessThan(1e-6);
  }
}

describe('road and world coordinates', () => {
  it('round-trips world → road → world on spirals, arcs and paramPoly3 roads', () => {
    for (const file of ['curves_elevation', 'e6mini', 'jolengatan', 'fabriksgatan']) {
      roundTrips(readOpenDrive(`test/fixtures/esmini/xodr/${file}.xodr`), 150, 7);
    }
  });

  it('round-trips on a banked track, where t is measured along the rolled surface', () => {
    const network = readOpenDrive('test/fixtures/esmini/xodr/velodrome.xodr');
    const road = network.road('1');
    // Mid-curve the track is banked 60°: the outer (right) lanes rise.
    const p = road.pose(750, -6);
    const c = road.pose(750, 0);
    expect(p.roll).toBeCloseTo(-Math.PI / 3, 9);
    expect(p.z - c.z).toBeCloseTo(6 * Math.sin(Math.PI / 3), 9);
    expect(Math.hypot(p.x - c.x, p.y - c.y)).toBeCloseTo(6 * Math.cos(Math.PI / 3), 9);
    roundTrips(network, 150, 11);
  });

  it('reports the nearest lane and its distance for a point off the road, and nothing far away', () => {
    const network = parseOpenDrive(T_JUNCTION);
    const off = network.worldToRoad(50, -5.5);
    expect(off).toMatchObject({ road: '1', lane: -1 });
    expect(off!.distance).toBeCloseTo(2, 9);
    expect(off!.t).toBeCloseTo(-5.5, 9);
    expect(network.worldToRoad(50, -40)).toBeUndefined();
  });

  it('samples lane centre lines at any step, ending exactly at the section end', () => {
    const network = parseOpenDrive(T_JUNCTION);
    const line = network.laneCenterLine('11', -1, 0.7);
    expect(line[0].s).toBe(0);
    expect(line[line.length - 1].s).toBeCloseTo((Math.PI / 2) * 10, 12);
    for (const p of line) {
      // The turn's centre is (100, 10); lane -1 runs 1.75 m outside the radius-10 reference arc.
      expect(Math.hypot(p.x - 100, p.y - 10)).toBeCloseTo(11.75, 9);
    }
    for (let i = 1; i < line.length - 1; i++) expect(line[i].s - line[i - 1].s).toBeCloseTo(0.7, 12);
  });
});

describe('lane graph and routes', () => {
  const network = parseOpenDrive(T_JUNCTION);

  it('links lanes through the junction with contact points and lane directions', () => {
    const graph = network.laneGraph();
    const succ = (key: string): string[] => [...graph.nodes.get(key)!.successors].sort();
    expect(succ('1/0/-1')).toEqual(['10/0/-1', '11/0/-1']);
    expect(succ('10/0/-1')).toEqual(['2/0/-1']);
    expect(succ('11/0/-1')).toEqual(['3/0/-1']);
    // Westbound: road 2's left lane runs against s, into connecting road 12 at its end, then on to road 1's left lane.
    expect(succ('2/0/1')).toEqual(['12/0/1']);
    expect(succ('12/0/1')).toEqual(['1/0/1']);
    // Lanes leaving the junction's side of a road lead nowhere back into it.
    expect(succ('1/0/1')).toEqual([]);
    expect(succ('3/0/-1')).toEqual([]);
  });

  it('finds the shortest route across the junction, by centre-line length', () => {
    const left = network.route({ road: '1', lane: -1, s: 50 }, { road: '3', lane: -1, s: 50 });
    expect(left!.lanes.map((l) => l.road)).toEqual(['1', '11', '3']);
    expect(left!.length).toBeCloseTo(50 + 11.75 * (Math.PI / 2) + 50, 2);
    const straight = network.route({ road: '1', lane: -1, s: 50 }, { road: '2', lane: -1, s: 10 });
    expect(straight!.lanes.map((l) => l.road)).toEqual(['1', '10', '2']);
    expect(straight!.length).toBeCloseTo(80, 6);
    const west = network.route({ road: '2', lane: 1, s: 50 }, { road: '1', lane: 1, s: 80 });
    expect(west!.lanes.map((l) => l.road)).toEqual(['2', '12', '1']);
    expect(west!.length).toBeCloseTo(90, 6);
    // Against the traffic: no route.
    expect(network.route({ road: '2', lane: -1, s: 50 }, { road: '1', lane: -1, s: 10 })).toBeUndefined();
    // Along one lane.
    expect(network.route({ road: '1', lane: -1, s: 10 }, { road: '1', lane: -1, s: 30 })!.length).toBeCloseTo(20, 9);
  });

  it('routes through a junction of a map written by another tool', () => {
    const fabriksgatan = readOpenDrive('test/fixtures/esmini/xodr/fabriksgatan.xodr');
    const graph = fabriksgatan.laneGraph();
    // Every connecting road's driving lane is entered from some road and leads on to another.
    for (const node of graph.nodes.values()) {
      if (fabriksgatan.road(node.road).junction === '-1') continue;
      expect(node.predecessors.length, node.key).toBeGreaterThan(0);
      expect(node.successors.length, node.key).toBeGreaterThan(0);
    }
    // Any lane that enters the junction reaches some lane beyond it, and the route steps along graph edges.
    const entering = [...graph.nodes.values()].find((n) => fabriksgatan.road(n.road).junction === '-1' && n.successors.length > 0)!;
    const via = graph.nodes.get(entering.successors[0])!;
    const exit = graph.nodes.get(via.successors[0])!;
    const mid = (n: typeof exit): number => 0.5 * (n.s0 + n.s1);
    const route = fabriksgatan.route({ road: entering.road, lane: entering.lane, s: mid(entering) }, { road: exit.road, lane: exit.lane, s: mid(exit) })!;
    expect(route.lanes.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < route.lanes.length; i++) {
      const a = route.lanes[i - 1], b = route.lanes[i];
      expect(graph.node(a)!.successors).toContain(`${b.road}/${b.section}/${b.lane}`);
    }
  });
});
