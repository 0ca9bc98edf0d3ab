import { describe, expect, it } from 'vitest';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { buildMeshBvh } from '../../src/raycast/MeshBvh.js';
import { createHitBuffer, MISS, RaycastScene } from '../../src/raycast/RaycastScene.js';

function sceneOf(mesh: MeshBuilder): RaycastScene {
  const s = mesh.soup();
  return new RaycastScene(buildMeshBvh(s.positions, s.classes));
}

function castOne(scene: RaycastScene, o: number[], d: number[], tMin = 0, tMax = 100, ignoreInstanceId?: number): { t: number; tri: number; instance: number; normal: number[] } {
  const len = Math.hypot(d[0], d[1], d[2]);
  const rays = { origins: new Float32Array(o), directions: new Float32Array(d.map((x) => x / len)), count: 1, tMin, tMax };
  const hits = createHitBuffer(1);
  scene.cast(rays, hits, { ignoreInstanceId });
  return { t: hits.distance[0], tri: hits.triangleId[0], instance: hits.instanceId[0], normal: Array.from(hits.normal) };
}

/** A 10 x 10 grid of unit quads on z = 0 (two triangles each: quad k holds triangles 2k, 2k + 1). */
function grid(): MeshBuilder {
  const mesh = new MeshBuilder();
  for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) mesh.quad([i, j, 0], [i + 1, j, 0], [i + 1, j + 1, 0], [i, j + 1, 0], 7);
  return mesh;
}

describe('raycast edge cases', () => {
  it('a ray down through a shared edge hits one of the two triangles at the exact distance', () => {
    const scene = sceneOf(grid());
    // Quad (3, 4): the diagonal from (3, 4) to (4, 5) is shared by triangles 2 * 34 and 2 * 34 + 1.
    const hit = castOne(scene, [3.5, 4.5, 2], [0, 0, -1]);
    expect(hit.t).toBe(2);
    expect([68, 69]).toContain(hit.tri);
    expect(hit.normal).toEqual([0, 0, 1]);
    // The edge between quads (3, 4) and (4, 4), at x = 4.
    const edge = castOne(scene, [4, 4.25, 3], [0, 0, -1]);
    expect(edge.t).toBe(3);
    expect([68, 69, 88, 89]).toContain(edge.tri);
  });

  it('a ray through a vertex shared by six triangles hits one of them', () => {
    const scene = sceneOf(grid());
    const hit = castOne(scene, [5, 5, 1], [0, 0, -1]);
    expect(hit.t).toBe(1);
    const around = [2 * 44, 2 * 44 + 1, 2 * 45, 2 * 45 + 1, 2 * 54, 2 * 54 + 1, 2 * 55, 2 * 55 + 1];
    expect(around).toContain(hit.tri);
    // Obliquely through the vertex too.
    const oblique = castOne(scene, [2, 2, 3], [3, 3, -3]);
    expect(oblique.t).toBeCloseTo(Math.sqrt(27), 5);
  });

  it('a ray along an edge in the plane of the faces, or parallel to them, misses', () => {
    const scene = sceneOf(grid());
    expect(castOne(scene, [-1, 4, 0], [1, 0, 0]).t).toBe(Infinity); // along the edge y = 4, in the plane
    expect(castOne(scene, [-1, 4.5, 0], [1, 0, 0]).t).toBe(Infinity); // in the plane, across faces
    expect(castOne(scene, [-1, -1, 0], [1, 1, 0]).t).toBe(Infinity); // along the diagonals
    expect(castOne(scene, [-1, 4.5, 1e-3], [1, 0, 0]).t).toBe(Infinity); // just above, parallel
    const miss = castOne(scene, [-1, 4.5, 0.5], [1, 0, 0]);
    expect(miss.tri).toBe(MISS);
    expect(miss.instance).toBe(MISS);
  });

  it('axis-aligned rays with zero direction components starting on box planes', () => {
    const mesh = new MeshBuilder();
    mesh.box([0, 0, 0], [2, 2, 2], 0, 11);
    const scene = sceneOf(mesh);
    // Origin on the plane x = -1 of the box, moving along +y towards the face y = -1's edge.
    expect(castOne(scene, [-1, -5, 0], [0, 1, 0]).t).toBeCloseTo(4, 6);
    expect(castOne(scene, [0, -5, 1], [0, 1, 0]).t).toBeCloseTo(4, 6);
    expect(castOne(scene, [0, 0, -5], [0, 0, 1]).t).toBeCloseTo(4, 6);
    expect(castOne(scene, [3, 0, 0], [-1, 0, 0]).t).toBeCloseTo(2, 6);
    expect(castOne(scene, [0, 0, 5], [0, 0, -1]).normal).toEqual([0, 0, 1]);
  });

  it('an origin inside a box hits the wall ahead from within', () => {
    const mesh = new MeshBuilder();
    mesh.box([0, 0, 0], [4, 4, 4], 0, 11);
    const scene = sceneOf(mesh);
    const hit = castOne(scene, [0.5, 0, 0], [1, 0, 0]);
    expect(hit.t).toBeCloseTo(1.5, 6);
    expect(hit.normal).toEqual([-1, 0, 0]);
    expect(castOne(scene, [0, 0, 0], [1, 1, 1]).t).toBeCloseTo(Math.sqrt(12), 5);
    // Inside an instance's box as well.
    const ground = new MeshBuilder();
    ground.quad([-50, -50, -10], [50, -50, -10], [50, 50, -10], [-50, 50, -10], 7);
    const two = sceneOf(ground);
    const s = mesh.soup();
    const m = two.addModel(buildMeshBvh(s.positions, s.classes));
    two.setInstances([{ model: m, instanceId: 3, position: [0, 0, 0], quaternion: [0, 0, 0, 1] }]);
    const inside = castOne(two, [0, 0.5, 0], [0, 1, 0]);
    expect(inside.instance).toBe(3);
    expect(inside.t).toBeCloseTo(1.5, 6);
    expect(castOne(two, [0, 0.5, 0], [0, 0, -1], 0, 100, 3)).toMatchObject({ instance: 0, t: 10 });
  });

  it('respects tMin and tMax', () => {
    const mesh = new MeshBuilder();
    mesh.quad([5, -1, -1], [5, 1, -1], [5, 1, 1], [5, -1, 1], 11);
    mesh.quad([8, -1, -1], [8, 1, -1], [8, 1, 1], [8, -1, 1], 17);
    const scene = sceneOf(mesh);
    expect(castOne(scene, [0, 0, 0], [1, 0, 0], 0, 100).t).toBe(5);
    expect(castOne(scene, [0, 0, 0], [1, 0, 0], 0, 5.0001).t).toBe(5);
    expect(castOne(scene, [0, 0, 0], [1, 0, 0], 0, 4.9999).t).toBe(Infinity);
    expect(castOne(scene, [0, 0, 0], [1, 0, 0], 4.9999, 100).t).toBe(5);
    expect(castOne(scene, [0, 0, 0], [1, 0, 0], 5.0001, 100).t).toBe(8);
    expect(castOne(scene, [0, 0, 0], [1, 0, 0], 8.0001, 100).t).toBe(Infinity);
    expect(castOne(scene, [0, 0, 0], [1, 0, 0], 5.0001, 7.9).t).toBe(Infinity);
    expect(castOne(scene, [0, 0, 0], [1, 0, 0], 0, Infinity).t).toBe(5);
    // Behind the origin does not count.
    expect(castOne(scene, [6, 0, 0], [1, 0, 0]).t).toBe(2);
    expect(castOne(scene, [9, 0, 0], [1, 0, 0]).t).toBe(Infinity);
  });

  it('empty scenes and empty models miss cleanly', () => {
    const scene = new RaycastScene(buildMeshBvh(new Float32Array(0), new Uint8Array(0)));
    expect(castOne(scene, [0, 0, 0], [1, 0, 0]).t).toBe(Infinity);
    const empty = scene.addModel(buildMeshBvh(new Float32Array(0), new Uint8Array(0)));
    scene.setInstances([{ model: empty, instanceId: 1, position: [0, 0, 0], quaternion: [0, 0, 0, 1] }]);
    expect(castOne(scene, [0, 0, 0], [1, 0, 0]).t).toBe(Infinity);
    expect(() => scene.setInstances([{ model: 9, instanceId: 2, position: [0, 0, 0], quaternion: [0, 0, 0, 1] }])).toThrow(/unknown model 9/);
  });
});
