import { describe, expect, it } from 'vitest';
import { UserError } from '../src/core/errors.js';
import { parseOpenDrive } from '../src/map/OpenDriveReader.js';
import type { Road } from '../src/map/Road.js';
import { generateTown } from '../src/map/TownGenerator.js';

describe('town generator', () => {
  const text = generateTown({ columns: 3, rows: 2, block: 80, seed: 1 });
  const network = parseOpenDrive(text, 'town.xodr');

  it('writes streets, stubs, junctions and one connecting road per movement', () => {
    const streets = network.roads.filter((r) => r.junction === '-1');
    const connecting = network.roads.filter((r) => r.junction !== '-1');
    // Rows: 2 streets between 3 junctions + 2 stubs, per row; columns: 1 street + 2 stubs, per column.
    expect(streets).toHaveLength(2 * 4 + 3 * 3);
    // Every junction has four arms, so 4 x 3 movements (no U-turns).
    expect(connecting).toHaveLength(6 * 12);
    expect(text.match(/<junction /g)).toHaveLength(6);
    expect(text.match(/type="crosswalk"/g)).toHaveLength(6 * 4);
    for (const street of streets) {
      expect(street.sections[0].left.map((l) => l.type)).toEqual(['driving', 'sidewalk']);
      expect(street.sections[0].right.map((l) => l.type)).toEqual(['driving', 'sidewalk']);
    }
  });

  it('joins every connecting lane to the lanes it links, in position and heading', () => {
    const byId = new Map(network.roads.map((r) => [r.id, r] as const));
    const lanePoint = (road: Road, lane: number, atEnd: boolean): { x: number; y: number; heading: number } => {
      const s = atEnd ? road.length : 0;
      const p = road.pose(s, road.laneCenterT(lane, s));
      // Lanes left of the reference line run against s.
      return { x: p.x, y: p.y, heading: lane > 0 ? p.heading + Math.PI : p.heading };
    };
    const angle = (a: number, b: number): number => Math.abs(Math.atan2(Math.sin(a - b), Math.cos(a - b)));
    let checked = 0;
    for (const match of text.matchAll(/<road name="connection (\d+) to (\d+)" length="[^"]+" id="(\d+)"/g)) {
      const [, incomingId, outgoingId, id] = match;
      const road = byId.get(id)!;
      const incoming = byId.get(incomingId)!;
      const outgoing = byId.get(outgoingId)!;
      const start = lanePoint(road, -1, false);
      const end = lanePoint(road, -1, true);
      // The incoming lane ends where the connection starts: lane -1 at its end, or lane 1 at its start.
      const fromEnd = lanePoint(incoming, -1, true);
      const fromStart = lanePoint(incoming, 1, false);
      const entry = Math.hypot(fromEnd.x - start.x, fromEnd.y - start.y) < 1e-6 ? fromEnd : fromStart;
      expect(Math.hypot(entry.x - start.x, entry.y - start.y)).toBeLessThan(1e-6);
      expect(angle(entry.heading, start.heading)).toBeLessThan(1e-9);
      const toStart = lanePoint(outgoing, -1, false);
      const toEnd = lanePoint(outgoing, 1, true);
      const exit = Math.hypot(toStart.x - end.x, toStart.y - end.y) < 1e-6 ? toStart : toEnd;
      expect(Math.hypot(exit.x - end.x, exit.y - end.y)).toBeLessThan(1e-6);
      expect(angle(exit.heading, end.heading)).toBeLessThan(1e-7);
      checked++;
    }
    expect(checked).toBe(72);
  });

  it('is reproducible from its seed, and the seed changes the block lengths', () => {
    expect(generateTown({ columns: 3, rows: 2, block: 80, seed: 1 })).toBe(text);
    expect(generateTown({ columns: 3, rows: 2, block: 80, seed: 2 })).not.toBe(text);
  });

  it('rejects impossible sizes', () => {
    expect(() => generateTown({ columns: 0, rows: 2, block: 80, seed: 1 })).toThrow(UserError);
    expect(() => generateTown({ columns: 2, rows: 2, block: 20, seed: 1 })).toThrow(/--block must be at least 40 m/);
  });
});
