import { arrayField, FRAME_VERSION, type Frame } from '../../src/core/frame.js';

/** A LiDAR-like frame whose points are `n` rows of (seq, i, t seconds, 0.5) as float32. */
export function makeFrame(topic: string, kind: string, seq: number, t_ns: number, n = 3): Frame {
  const points = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) points.set([seq, i, t_ns / 1e9, 0.5], i * 4);
  return {
    v: FRAME_VERSION,
    topic,
    kind,
    seq,
    t_ns,
    frame_id: topic.replace('/', '_'),
    pose: { p: [1, 2, 0.5], q: [0, 0, 0, 1] },
    fields: { rate_hz: 10, model: 'vlp16', dual: false, fov: [-15, 15] },
    data: { points: arrayField(points, [n, 4]) },
  };
}
