import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateHighway } from '../../src/map/HighwayGenerator.js';
import { readOpenDrive } from '../../src/map/OpenDriveReader.js';
import { generateTown } from '../../src/map/TownGenerator.js';

describe('bundled maps', () => {
  it('are exactly what the generators write, so they can be remade', () => {
    expect(readFileSync('maps/town.xodr', 'utf8')).toBe(generateTown({ columns: 3, rows: 3, block: 80, seed: 1 }));
    expect(readFileSync('maps/highway.xodr', 'utf8')).toBe(generateHighway());
  });

  it('the highway bends through clothoids and arcs whose stored starts match the previous geometry ends', () => {
    const text = readFileSync('maps/highway.xodr', 'utf8');
    const network = readOpenDrive('maps/highway.xodr');
    expect(network.warnings).toEqual([]);
    expect(text.match(/<spiral /g)).toHaveLength(4);
    expect(text.match(/<arc /g)).toHaveLength(3);
    for (const road of network.roads) {
      const geometries = road.referenceLine.geometries;
      for (let i = 1; i < geometries.length; i++) {
        const previous = geometries[i - 1];
        const end = previous.evaluate(previous.length);
        const next = geometries[i].evaluate(0);
        expect(Math.hypot(end.x - next.x, end.y - next.y)).toBeLessThan(1e-6);
        expect(Math.abs(end.heading - next.heading)).toBeLessThan(1e-9);
      }
    }
    // The bend of road 1: +1/800 curvature over 120 + 250 + 120 m turns it by (60 + 250 + 60) / 800 rad.
    expect(network.road('1').pose(network.road('1').length, 0).heading).toBeCloseTo(370 / 800, 12);
  });

  it('the on-ramp joins road 2 as an entry lane that tapers away', () => {
    const network = readOpenDrive('maps/highway.xodr');
    const route = network.route({ road: '3', lane: -1, s: 10 }, { road: '2', lane: -3, s: 100 })!;
    expect(route.lanes.map((l) => `${l.road}:${l.lane}`)).toEqual(['3:-1', '11:-1', '2:-3']);
    const ramp = network.road('3');
    const join = network.road('11');
    const main = network.road('2');
    const at = (road: typeof ramp, lane: number, s: number): { x: number; y: number } => road.pose(s, road.laneCenterT(lane, s));
    const gap = (a: { x: number; y: number }, b: { x: number; y: number }): number => Math.hypot(a.x - b.x, a.y - b.y);
    expect(gap(at(ramp, -1, ramp.length), at(join, -1, 0))).toBeLessThan(1e-6);
    expect(gap(at(join, -1, join.length), at(main, -3, 0))).toBeLessThan(1e-6);
    const width = (s: number): number => { const span = main.laneSpans(s).right.find((x) => x.lane.id === -3)!; return Math.abs(span.outer - span.inner); };
    expect(width(100)).toBeCloseTo(3.5, 12);
    expect(width(250)).toBeCloseTo(3.5 * (1 - 3 * 0.25 + 2 * 0.125), 9); // smoothstep taper at its midpoint
    expect(width(299.999)).toBeLessThan(1e-6);
    expect(main.laneSpans(310).right.find((x) => x.lane.id === -3)!.lane.type).toBe('shoulder');
  });
});
