// A stream consumer: prints, every second, each topic's frame rate and lag. The lag is how
// long after the server sent a frame (its `wall_ns`, the server's wall clock) this consumer
// read it: the time in the server's queue, the socket and here. Across machines it needs
// their clocks in step (NTP); on one machine it is exact.
//
//   npx roadcast run scenarios/default.yaml --serve --realtime &
//   node examples/consumer.mjs [ws://127.0.0.1:8765] [topic-glob ...]
import { RoadcastClient } from 'roadcast/client';

const url = process.argv[2] ?? 'ws://127.0.0.1:8765';
const topics = process.argv.slice(3);
const client = await RoadcastClient.connect(url, topics.length ? { topics } : {});
console.log(`connected to roadcast ${client.hello.version}; topics so far: ${client.hello.topics.join(', ') || '(none yet)'}`);
const stats = new Map();
let windowStart = performance.now();

for await (const frame of client) {
  // The wall clock with sub-millisecond resolution, in the same epoch milliseconds as wall_ns / 1e6.
  const nowMs = performance.timeOrigin + performance.now();
  const lagMs = nowMs - frame.wall_ns / 1e6;
  const s = stats.get(frame.topic) ?? { count: 0, lagSum: 0, lagMax: 0, points: 0, tNs: 0 };
  s.count++;
  s.lagSum += lagMs;
  s.lagMax = Math.max(s.lagMax, lagMs);
  s.points = frame.data.points?.shape[0] ?? 0;
  s.tNs = frame.t_ns;
  stats.set(frame.topic, s);
  const now = performance.now();
  if (now - windowStart >= 1000) {
    const seconds = (now - windowStart) / 1000;
    for (const [topic, s] of stats) {
      const points = s.points ? `  ${s.points} points` : '';
      console.log(`${topic}  ${(s.count / seconds).toFixed(1)} Hz  lag ${(s.lagSum / s.count).toFixed(1)} ms (max ${s.lagMax.toFixed(1)})${points}  t=${(s.tNs / 1e9).toFixed(2)} s`);
    }
    if (client.stats?.dropped) console.log(`dropped by the server for this client: ${client.stats.dropped}`);
    if (client.stats?.realtime?.behind) console.log(`the run is behind real time: ${client.stats.realtime.factor.toFixed(2)}x`);
    stats.clear();
    windowStart = now;
  }
}
console.log('stream closed');
