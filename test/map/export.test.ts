import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mesh } from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { describe, expect, it } from 'vitest';

function loadGlb(file: string): Promise<Map<string, Mesh>> {
  const data = readFileSync(file);
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  return new Promise((resolve, reject) => {
    new GLTFLoader().parse(buffer, '', (gltf) => {
      const meshes = new Map<string, Mesh>();
      gltf.scene.traverse((o) => { if ((o as Mesh).isMesh) meshes.set(o.name, o as Mesh); });
      resolve(meshes);
    }, reject);
  });
}

function area(mesh: Mesh): number {
  const p = mesh.geometry.getAttribute('position');
  let sum = 0;
  for (let i = 0; i < p.count; i += 3) {
    const e1 = [p.getX(i + 1) - p.getX(i), p.getY(i + 1) - p.getY(i), p.getZ(i + 1) - p.getZ(i)];
    const e2 = [p.getX(i + 2) - p.getX(i), p.getY(i + 2) - p.getY(i), p.getZ(i + 2) - p.getZ(i)];
    sum += 0.5 * Math.hypot(e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]);
  }
  return sum;
}

describe('roadcast map export', () => {
  it('writes binary glTF that three.js loads: one mesh per class, y up, the lanes at their true size', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'roadcast-glb-')), 'road.glb');
    const result = spawnSync(process.execPath, ['dist/cli/main.js', 'map', 'export', 'maps/straight_two_lane.xodr', '--out', out], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const meshes = await loadGlb(out);
    expect([...meshes.keys()].sort()).toEqual(['lane_marking', 'road', 'sidewalk']);
    // Two 3.5 m lanes over 400 m, flat at height 0; glTF's y is the map's z.
    const road = meshes.get('road')!;
    expect(area(road)).toBeCloseTo(2800, 2);
    road.geometry.computeBoundingBox();
    const box = road.geometry.boundingBox!;
    expect([box.min.x, box.max.x, box.min.y, box.max.y, box.min.z, box.max.z]).toEqual([0, 400, 0, 0, -3.5, 3.5]);
    // Sidewalks stand 0.15 m above the road.
    meshes.get('sidewalk')!.geometry.computeBoundingBox();
    expect(meshes.get('sidewalk')!.geometry.boundingBox!.max.y).toBeCloseTo(0.15, 6);
    expect((road.material as { name: string }).name).toBe('road');
  });

  it('adds the seeded roadside objects with --dressing', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'roadcast-glb-')), 'town.glb');
    const result = spawnSync(process.execPath, ['dist/cli/main.js', 'map', 'export', 'maps/town.xodr', '--out', out, '--dressing', '--seed', '2'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    const meshes = await loadGlb(out);
    for (const name of ['building', 'pole', 'vegetation', 'vehicle', 'terrain', 'road', 'sidewalk', 'lane_marking']) expect(meshes.has(name)).toBe(true);
  });
});
