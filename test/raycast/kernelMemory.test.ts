import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/core/Random.js';
import { allocate, bytesInUse, float32At, release } from '../../src/raycast/KernelMemory.js';
import { buildMeshBvh, checkTraversalDepth } from '../../src/raycast/MeshBvh.js';
import { createHitBuffer, RaycastScene } from '../../src/raycast/RaycastScene.js';
import { randomRays, randomSoup } from './reference.js';

describe('raycast kernel memory', () => {
  it('hands out aligned, disjoint blocks and merges them back when released', () => {
    const before = bytesInUse();
    const a = allocate(100), b = allocate(1), c = allocate(5000);
    for (const x of [a, b, c]) expect(x % 64).toBe(0);
    // 100 rounds up to 128, 1 to 64, 5000 to 5056.
    expect(bytesInUse() - before).toBe(128 + 64 + 5056);
    const blocks = [[a, 128], [b, 64], [c, 5056]].sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i][0]).toBeGreaterThanOrEqual(blocks[i - 1][0] + blocks[i - 1][1]);
    release(a);
    release(b);
    // a and b were neighbours: their merged space takes a block of their summed size.
    const merged = allocate(128 + 64);
    expect(merged).toBe(Math.min(a, b));
    release(merged);
    release(c);
    expect(bytesInUse()).toBe(before);
    expect(() => release(c)).toThrow(/no block/);
  });

  it('keeps earlier views valid when the memory grows', () => {
    const small = allocate(16);
    const early = float32At(small, 4);
    early.set([1, 2, 3, 4]);
    const big = allocate(96 * 1024 * 1024);
    const late = float32At(small, 4);
    late[0] = 7;
    expect([...early]).toEqual([7, 2, 3, 4]);
    release(big);
    release(small);
  });

  it('gives a mesh and a scene back to the allocator once they are collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const random = new Random(11);
    const soup = randomSoup(random, 2000, 20, 2);
    const n = 300;
    const rays = { ...randomRays(random, n, 20), count: n, tMin: 0, tMax: 100 };
    // The first scene also makes the per-thread reflectivity table, which stays.
    const first = new RaycastScene(buildMeshBvh(soup.positions.subarray(0, 9), soup.classes.subarray(0, 1)));
    const before = bytesInUse();
    (() => {
      const scene = new RaycastScene(buildMeshBvh(soup.positions, soup.classes));
      scene.cast(rays, createHitBuffer(n));
      // The mesh (2000 triangles of 41 bytes plus nodes) is held here.
      expect(bytesInUse() - before).toBeGreaterThan(2000 * 41);
    })();
    for (let attempt = 0; attempt < 50 && bytesInUse() > before; attempt++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(bytesInUse()).toBe(before);
    expect(first.staticMesh.triangleCount).toBe(1);
  });

  it('refuses a tree deeper than the kernel stack can hold', () => {
    expect(() => checkTraversalDepth({ depth: 400, nodeCount: 1, nodes: new Float32Array(32), links: new Int32Array(32) }, 'a test tree'))
      .toThrow(/a test tree: a BVH 400 levels deep overflows the raycast kernel's 1024-entry stack/);
    expect(() => checkTraversalDepth({ depth: 300, nodeCount: 1, nodes: new Float32Array(32), links: new Int32Array(32) }, 'a test tree')).not.toThrow();
  });
});
