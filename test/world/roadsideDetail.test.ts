import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { materialId } from '../../src/core/materials.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { classId } from '../../src/core/semantic.js';
import { generateHighway } from '../../src/map/HighwayGenerator.js';
import { parseOpenDrive } from '../../src/map/OpenDriveReader.js';
import { generateTown } from '../../src/map/TownGenerator.js';
import { meshScenery, planRoadside } from '../../src/world/RoadsideDressing.js';
import { BUILDING_RANGES, GROUND_FLOOR_HEIGHT, meshBuilding, wallHeight } from '../../src/world/roadside/Buildings.js';
import { meshTree } from '../../src/world/roadside/Trees.js';
import { meshGuardrail } from '../../src/world/roadside/Guardrails.js';

const town = parseOpenDrive(generateTown({ columns: 3, rows: 2, block: 80, seed: 1 }), 'town.xodr');
const highway = parseOpenDrive(generateHighway(), 'highway.xodr');

function materialsOf(mesh: MeshBuilder): Map<number, number> {
  const counts = new Map<number, number>();
  for (const m of mesh.soup().materials) counts.set(m, (counts.get(m) ?? 0) + 1);
  return counts;
}

describe('roadside detail', () => {
  const plan = planRoadside(town, 7, { buildings: 24 });

  it('gives every building inset windows on its façades, its own height and a roof', () => {
    expect(plan.buildings.length).toBeGreaterThan(10);
    const glass = materialId('window_glass');
    for (const building of plan.buildings) {
      const mesh = new MeshBuilder();
      meshBuilding(mesh, building);
      const { positions, materials, classes } = mesh.soup();
      expect(new Set(classes)).toEqual(new Set([classId('building')]));
      const used = materialsOf(mesh);
      expect(used.get(materialId(building.facade))).toBeGreaterThan(8);
      expect(used.get(materialId(building.roof === 'flat' ? 'roof_metal' : 'roof_tiles'))).toBeGreaterThan(0);
      // Windows on every storey: glass between the ground floor and the eaves, and each pane
      // set back from the façade plane (its vertices strictly inside the footprint).
      const c = Math.cos(building.yaw), s = Math.sin(building.yaw);
      const storeysWithGlass = new Set<number>();
      for (let t = 0; t < materials.length; t++) {
        if (materials[t] !== glass) continue;
        for (let v = 0; v < 3; v++) {
          const dx = positions[t * 9 + v * 3] - building.center[0], dy = positions[t * 9 + v * 3 + 1] - building.center[1];
          const u = c * dx + s * dy, w = -s * dx + c * dy;
          expect(Math.max(Math.abs(u) - building.along / 2, Math.abs(w) - building.depth / 2)).toBeLessThan(-0.1);
          const z = positions[t * 9 + v * 3 + 2] - building.center[2];
          storeysWithGlass.add(z < GROUND_FLOOR_HEIGHT ? 0 : 1 + Math.floor((z - GROUND_FLOOR_HEIGHT - 0.01) / building.storeyHeight));
        }
      }
      for (let k = 0; k <= building.upperStoreys; k++) expect(storeysWithGlass.has(k), `storey ${k}`).toBe(true);
    }
    // Heights within the drawn range, and not all alike.
    const heights = plan.buildings.map(wallHeight);
    const [lo, hi] = [GROUND_FLOOR_HEIGHT + BUILDING_RANGES.upperStoreys[0] * BUILDING_RANGES.storeyHeight[0], GROUND_FLOOR_HEIGHT + BUILDING_RANGES.upperStoreys[1] * BUILDING_RANGES.storeyHeight[1]];
    for (const h of heights) expect(h >= lo && h <= hi, `height ${h}`).toBe(true);
    expect(Math.max(...heights) - Math.min(...heights)).toBeGreaterThan(6);
    expect(new Set(plan.buildings.map((b) => b.facade)).size).toBe(2);
    expect(new Set(plan.buildings.map((b) => b.roof)).size).toBe(2);
  });

  it('makes tree crowns of several blobs of leaves over a bark trunk', () => {
    expect(plan.trees.length).toBeGreaterThan(20);
    for (const tree of plan.trees.slice(0, 10)) {
      expect(tree.blobs.length).toBeGreaterThanOrEqual(3);
      const mesh = new MeshBuilder();
      meshTree(mesh, tree);
      const used = materialsOf(mesh);
      expect(used.get(materialId('leaves'))).toBe(20 * tree.blobs.length);
      expect(used.get(materialId('bark'))).toBe(12);
    }
  });

  it('puts signs before junctions and bollards at the sidewalks in town, and no guardrails', () => {
    expect(plan.signs.length).toBeGreaterThan(10);
    expect(plan.bollards.length).toBeGreaterThan(20);
    expect(plan.guardrails).toEqual([]);
    const mesh = new MeshBuilder();
    meshScenery(plan, mesh);
    const soup = mesh.soup();
    // One plate (a box, 12 triangles) of retroreflective sheeting per sign.
    const signFaces = soup.classes.filter((c, t) => c === classId('traffic_sign') && soup.materials[t] === materialId('sign_face')).length;
    expect(signFaces).toBe(12 * plan.signs.length);
    expect(soup.classes.includes(classId('guard_rail'))).toBe(false);
  });

  it('runs W-beam guardrails on posts along both edges of the highway', () => {
    const rails = planRoadside(highway, 7, { buildings: 0 });
    expect(rails.guardrails.length).toBeGreaterThanOrEqual(2);
    // Most of both edges of every carriageway: the map is about 1.3 km long.
    expect(rails.counts.guardrailMetres).toBeGreaterThan(2 * 1000);
    const mesh = new MeshBuilder();
    for (const rail of rails.guardrails) meshGuardrail(mesh, rail);
    const soup = mesh.soup();
    expect(new Set(soup.classes)).toEqual(new Set([classId('guard_rail')]));
    expect(new Set(soup.materials)).toEqual(new Set([materialId('guardrail_steel')]));
    // Every rail point lies beside a lane edge (within 1 m of some lane) yet off every lane.
    for (const rail of rails.guardrails) {
      for (const p of rail.points) {
        expect(highway.nearRoad(p.x, p.y, 1.2)).toBe(true);
        expect(highway.nearRoad(p.x, p.y, 0.05)).toBe(false);
      }
    }
    // The shipped highway map too.
    const shipped = parseOpenDrive(readFileSync(new URL('../../maps/highway.xodr', import.meta.url), 'utf8'), 'highway.xodr');
    expect(planRoadside(shipped, 1, { buildings: 0 }).guardrails.length).toBeGreaterThanOrEqual(2);
  });
});
