import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { materialId } from '../../src/core/materials.js';
import { classId } from '../../src/core/semantic.js';
import { readOpenDrive } from '../../src/map/OpenDriveReader.js';
import { buildRoadMesh } from '../../src/map/RoadMesh.js';

const town = readOpenDrive(resolve('maps/town.xodr'));

/** The unit normal's z of triangle t of a soup. */
function normalZ(p: Float32Array, t: number): number {
  const o = t * 9;
  const ux = p[o + 3] - p[o], uy = p[o + 4] - p[o + 1], uz = p[o + 5] - p[o + 2];
  const vx = p[o + 6] - p[o], vy = p[o + 7] - p[o + 1], vz = p[o + 8] - p[o + 2];
  const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
  return nz / Math.hypot(nx, ny, nz);
}

describe('road surface materials', () => {
  const soup = buildRoadMesh(town).soup();
  const count = soup.classes.length;

  it('kerbs are kerb stone, lane marks retroreflective paint, road surfaces asphalt', () => {
    const kerb = materialId('kerb_stone'), paint = materialId('lane_paint');
    const asphalt = new Set([materialId('asphalt_new'), materialId('asphalt_worn')]);
    let kerbFaces = 0;
    for (let t = 0; t < count; t++) {
      const steep = Math.abs(normalZ(soup.positions, t)) < 0.2;
      if (steep) {
        // The only near-vertical faces of a road mesh are the kerbs' steps.
        expect(soup.materials[t]).toBe(kerb);
        kerbFaces++;
      } else if (soup.classes[t] === classId('lane_marking')) expect(soup.materials[t]).toBe(paint);
      else if (soup.classes[t] === classId('road')) expect(asphalt.has(soup.materials[t])).toBe(true);
    }
    expect(kerbFaces).toBeGreaterThan(100);
  });

  it('each road is new or worn asphalt throughout, and both occur', () => {
    const worn = materialId('asphalt_worn');
    let wornRoads = 0, roads = 0;
    for (const road of town.roads) {
      const one = { ...town, roads: [road] } as typeof town;
      const s = buildRoadMesh(one).soup();
      const used = new Set<number>();
      for (let t = 0; t < s.classes.length; t++) if (s.classes[t] === classId('road') && Math.abs(normalZ(s.positions, t)) > 0.2) used.add(s.materials[t]);
      if (used.size === 0) continue;
      expect(used.size).toBe(1);
      roads++;
      if (used.has(worn)) wornRoads++;
    }
    expect(wornRoads).toBeGreaterThan(0);
    expect(wornRoads).toBeLessThan(roads);
  });
});
