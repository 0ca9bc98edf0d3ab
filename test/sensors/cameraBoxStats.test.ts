import { describe, expect, it } from 'vitest';
import { Random } from '../../src/core/Random.js';
import { instanceStats, mergeStats } from '../../src/sensors/camera/Boxes2d.js';

/**
 * The instances a camera's tiles count (each its own rows) merge into what the whole image
 * gives: every instance's visible pixels and bounds, against a count by hand over the image.
 */
describe('instance counts of an image in parts', () => {
  it('merge to each instance\'s pixels and bounds, whatever the split', () => {
    const width = 37, height = 23, random = new Random(11);
    const image = new Uint32Array(width * height);
    // Blobs of a few ids over a background of none, so bounds are not the whole image.
    for (let k = 0; k < 9; k++) {
      const id = 100 + 7 * k, u0 = Math.floor(random.next() * width), v0 = Math.floor(random.next() * height);
      for (let v = v0; v < Math.min(height, v0 + 6); v++) for (let u = u0; u < Math.min(width, u0 + 8); u++) image[v * width + u] = id;
    }
    const byHand = new Map<number, number[]>();
    for (let v = 0; v < height; v++) {
      for (let u = 0; u < width; u++) {
        const id = image[v * width + u];
        if (id === 0) continue;
        const s = byHand.get(id) ?? [id, u, v, u, v, 0];
        s[1] = Math.min(s[1], u); s[2] = Math.min(s[2], v); s[3] = Math.max(s[3], u); s[4] = Math.max(s[4], v); s[5]++;
        byHand.set(id, s);
      }
    }
    const expected = [...byHand.values()].sort((a, b) => a[0] - b[0]);
    expect(expected.length).toBeGreaterThan(2);
    for (const rows of [height, 1, 2, 5, 8]) {
      const parts: number[][][] = [];
      for (let a = 0; a < height; a += rows) parts.push(instanceStats(image, width, a * width, Math.min(height, a + rows) * width));
      // Merged in any order of the parts.
      const merged = mergeStats(rows % 2 ? parts : [...parts].reverse()).sort((a, b) => a[0] - b[0]);
      expect(merged, `${rows} rows a part`).toEqual(expected);
    }
  });
});
