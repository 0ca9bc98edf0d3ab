// A stream consumer: prints, every second, each topic's frame rate and how far its frames
// lag behind the simulation clock (against the first frame; meaningful with --realtime).
//
//   npx roadcast run scenarios/default.yaml --serve --realtime &
//   node examples/consumer.mjs [ws://127.0.0.1:8765] [topic-glob ...]
import { RoadcastClient } from 'roadcast/client';

const url = process.argv[2] ?? 'ws://127.0.0.1:8765';
const topics = process.argv.slice(3);
const client = await RoadcastClient.connect(url, topics.length ? { topics } : {});
const stats = new Map();
let origin;
let windowStart = performance.now();

for await (const frame of client) {
  const now = performance.now();
  origin ??= { wallMs: now, simNs: frame.t_ns };
  const lagMs = now - origin.wallMs - (frame.t_ns - origin.simNs) / 1e6;
  const s = stats.get(frame.topic) ?? { count: 0, lagMs: 0, points: 0 };
  s.count++;
  s.lagMs = Math.max(s.lagMs, lagMs);
  s.points = frame.data.points?.shape[0] ?? 0;
  stats.set(frame.topic, s);
  if (now - windowStart >= 1000) {
    const seconds = (now - windowStart) / 1000;
    for (const [topic, s] of stats) {
      console.log(`${topic}  ${(s.count / seconds).toFixed(1)} Hz  max lag ${s.lagMs.toFixed(1)} ms  ${s.points} points  t=${(frame.t_ns / 1e9).toFixed(2)} s`);
    }
    if (client.stats) console.log(`dropped by the server for this client: ${client.stats.dropped}`);
    stats.clear();
    windowStart = now;
  }
}
console.log('stream closed');
