import { quat, vec3 } from 'gl-matrix';
import { describe, expect, it } from 'vitest';
import type { Pose } from '../../src/core/frame.js';
import { composePose } from '../../src/core/pose.js';

/** The composition as gl-matrix computes it (what composePose did through it before it was written out). */
function composeWithGlMatrix(parent: Pose, child: Pose): Pose {
  const q = quat.multiply(new Float64Array(4), parent.q, child.q);
  quat.normalize(q, q);
  const p = vec3.transformQuat(new Float64Array(3), child.p, parent.q);
  return { p: [parent.p[0] + p[0], parent.p[1] + p[1], parent.p[2] + p[2]], q: [q[0], q[1], q[2], q[3]] };
}

/** A seeded stream of poses with unit (and slightly off-unit) quaternions. */
function* poses(count: number): Generator<Pose> {
  let s = 12345;
  const u = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296) * 2 - 1;
  for (let i = 0; i < count; i++) {
    const q = [u(), u(), u(), u()];
    const n = Math.hypot(...q) * (1 + 1e-9 * u());
    yield { p: [100 * u(), 100 * u(), 10 * u()], q: [q[0] / n, q[1] / n, q[2] / n, q[3] / n] };
  }
}

describe('composePose', () => {
  it('gives gl-matrix\'s composition bit for bit', () => {
    const list = [...poses(2000)];
    for (let i = 0; i + 1 < list.length; i += 2) {
      const ours = composePose(list[i], list[i + 1]);
      const theirs = composeWithGlMatrix(list[i], list[i + 1]);
      expect(ours.p).toEqual(theirs.p);
      expect(ours.q).toEqual(theirs.q);
    }
  });

  it('rotates a child 1 m ahead by a parent turned 90 degrees left to 1 m left of it', () => {
    const s = Math.SQRT1_2;
    const out = composePose({ p: [5, 2, 0], q: [0, 0, s, s] }, { p: [1, 0, 0], q: [0, 0, 0, 1] });
    expect(out.p[0]).toBeCloseTo(5, 12);
    expect(out.p[1]).toBeCloseTo(3, 12);
    expect(out.q[2]).toBeCloseTo(s, 12);
  });
});
