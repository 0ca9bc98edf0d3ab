import { describe, expect, it } from 'vitest';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { Random } from '../../src/core/Random.js';
import { classId } from '../../src/core/semantic.js';
import { parseOpenDrive } from '../../src/map/OpenDriveReader.js';
import { generateTown } from '../../src/map/TownGenerator.js';
import { meshScenery, planRoadside, RoadsideDressing } from '../../src/world/RoadsideDressing.js';

/** Every lane of every road as thin quads (1 m along s), for a brute-force point-in-lane test. */
function laneQuads(network: ReturnType<typeof parseOpenDrive>): number[][][] {
  const quads: number[][][] = [];
  for (const road of network.roads) {
    const steps = Math.ceil(road.length);
    for (let i = 0; i < steps; i++) {
      const s0 = (road.length * i) / steps, s1 = (road.length * (i + 1)) / steps;
      const a = road.laneSpans(s0), b = road.laneSpans(s1);
      [...a.left, ...a.right].forEach((span, k) => {
        const next = [...b.left, ...b.right][k];
        const corner = (s: number, t: number): number[] => { const p = road.pose(s, t); return [p.x, p.y]; };
        quads.push([corner(s0, span.inner), corner(s0, span.outer), corner(s1, next.outer), corner(s1, next.inner)]);
      });
    }
  }
  return quads;
}

function inside(quad: number[][], x: number, y: number): boolean {
  let sign = 0;
  for (let i = 0; i < 4; i++) {
    const [ax, ay] = quad[i], [bx, by] = quad[(i + 1) % 4];
    const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    if (Math.abs(cross) < 1e-12) continue;
    if (sign === 0) sign = Math.sign(cross);
    else if (Math.sign(cross) !== sign) return false;
  }
  return true;
}

describe('roadside dressing', () => {
  const network = parseOpenDrive(generateTown({ columns: 2, rows: 1, block: 80, seed: 3 }), 'town.xodr');
  const quads = laneQuads(network);

  it('places buildings, street lights, trees and parked cars, none of them on a lane', () => {
    const plan = new RoadsideDressing(network, new Random(5)).plan({ buildings: 10 });
    expect(plan.counts.buildings).toBeGreaterThan(3);
    expect(plan.counts.poles).toBeGreaterThan(5);
    expect(plan.counts.trees).toBeGreaterThan(5);
    expect(plan.counts.parkedCars).toBeGreaterThan(0);
    expect(plan.parkedCars).toHaveLength(plan.counts.parkedCars);
    const mesh = new MeshBuilder();
    meshScenery(plan, mesh);
    const { positions, classes } = mesh.soup();
    // Parked cars are actors, not scenery: no vehicle triangles in the static mesh.
    expect(new Set(classes)).toEqual(new Set([classId('building'), classId('pole'), classId('vegetation'), classId('traffic_sign')]));
    let checked = 0;
    for (let t = 0; t < classes.length; t++) {
      for (let v = 0; v < 3; v++) {
        const x = positions[t * 9 + v * 3], y = positions[t * 9 + v * 3 + 1], z = positions[t * 9 + v * 3 + 2];
        // Footprints: vertices at ground level (a lamp arm may overhang the road, as real ones do).
        if (z > 0.01) continue;
        checked++;
        expect(quads.some((q) => inside(q, x, y))).toBe(false);
      }
    }
    expect(checked).toBeGreaterThan(500);
    // Each parked car's footprint (4.6 x 1.85 m, the catalogue car) off every lane: corners, edge midpoints, centre.
    for (const car of plan.parkedCars) {
      expect([car.id, car.kind]).toEqual([`roadside_${plan.parkedCars.indexOf(car) + 1}`, 'parked_car']);
      const c = Math.cos(car.heading), s = Math.sin(car.heading);
      for (const [u, v] of [[0, 0], [1, 1], [1, -1], [-1, 1], [-1, -1], [1, 0], [-1, 0], [0, 1], [0, -1]]) {
        const x = car.x + c * u * 2.3 - s * v * 0.925, y = car.y + s * u * 2.3 + c * v * 0.925;
        expect(quads.some((q) => inside(q, x, y))).toBe(false);
      }
    }
  });

  it('is the same for the same seed and different for another', () => {
    const plan = (seed: number): string => JSON.stringify(planRoadside(network, seed, { buildings: 10 }));
    expect(plan(5)).toBe(plan(5));
    expect(plan(5)).not.toBe(plan(6));
  });
});
