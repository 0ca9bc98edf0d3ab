import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { fieldArray } from '../../src/core/frame.js';

// The references are renders of the default scenario written by `npm run pictures -- --reference`
// (scripts/pictures.mjs, which runs the built dist/); regenerate them on purpose only, when the
// world or the shading changed and the new images were looked at.
const DIR = join(__dirname, '..', 'fixtures', 'reference-images');

/** Mean absolute difference and the 99th percentile of per-channel absolute differences. */
function compare(a: Uint8Array, b: Uint8Array): { mean: number; p99: number } {
  const diffs = new Uint32Array(256);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    diffs[d]++;
    sum += d;
  }
  let seen = 0, p99 = 0;
  for (let d = 0; d < 256; d++) {
    seen += diffs[d];
    if (seen >= 0.99 * a.length) { p99 = d; break; }
  }
  return { mean: sum / a.length, p99 };
}

describe('camera reference images', () => {
  it('a fresh render of the default scenario matches the stored references (mean < 2, 99th percentile < 24)', async () => {
    // @ts-expect-error the script is plain JavaScript
    const { referenceFrames } = await import('../../scripts/pictures.mjs');
    const frames = await referenceFrames();
    for (const [name, frame] of [['default-rgb.png', frames.realistic], ['default-rgb-palette.png', frames.palette]] as const) {
      const ref = decode(readFileSync(join(DIR, name)));
      expect([ref.width, ref.height, ref.channels]).toEqual([frame.fields.width, frame.fields.height, 3]);
      const { mean, p99 } = compare(fieldArray(frame.data.rgb) as Uint8Array, ref.data as Uint8Array);
      expect(mean, name).toBeLessThan(2);
      expect(p99, name).toBeLessThan(24);
    }
  }, 120_000);
});
