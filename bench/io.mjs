// io section of `npm run bench`: the frame codec against JSON + base64, the WebSocket server
// to 1 and 8 local clients, the MCAP recorder (zstd and uncompressed), and the dataset exports
// beside KITTI's (exports.mjs). Figures are
// measured in this run, each beside its baseline, because the machines are shared and noisy.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arrayField, decodeFrame, encodeFrame, FrameServer, McapRecorder, RoadcastClient } from '../dist/index.js';
import { benchExports, printExports } from './exports.mjs';

/** A 128-channel x 2048-column LiDAR sweep (262,144 points, 4 MiB of float32). */
function lidarFrame(seq) {
  const n = 128 * 2048;
  const points = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const a = (i / 128) * ((2 * Math.PI) / 2048);
    const r = 5 + (i % 977) * 0.05;
    points.set([r * Math.cos(a), r * Math.sin(a), ((i % 128) - 64) * 0.02, (i % 255) / 255], i * 4);
  }
  return {
    v: 1, topic: 'lidar/top', kind: 'lidar', seq, t_ns: seq * 100_000_000, frame_id: 'top',
    pose: { p: [10, 2, 1.9], q: [0, 0, 0, 1] },
    fields: { channels: 128, columns: 2048, rate_hz: 10, point_count: n },
    data: { points: arrayField(points, [n, 4]) },
  };
}

/** Runs `fn` until `minMs` have passed (at least `minRuns` times); returns runs per second. */
async function rate(fn, { minMs = 1500, minRuns = 3 } = {}) {
  await fn();
  let runs = 0;
  const start = performance.now();
  while (runs < minRuns || performance.now() - start < minMs) {
    await fn();
    runs++;
  }
  return runs / ((performance.now() - start) / 1000);
}

function jsonBase64(frame) {
  const text = JSON.stringify({ ...frame, data: { points: { ...frame.data.points, bytes: Buffer.from(frame.data.points.bytes).toString('base64') } } });
  const back = JSON.parse(text);
  return Buffer.from(back.data.points.bytes, 'base64');
}

async function streamTo(clientCount, frames) {
  const server = new FrameServer({ port: 0, maxQueuedFrames: 1000, highWaterBytes: 64 * 1024 * 1024 });
  const { url } = await server.start();
  const clients = await Promise.all(Array.from({ length: clientCount }, () => RoadcastClient.connect(url)));
  while (server.clientCount < clientCount) await new Promise((r) => setTimeout(r, 5));
  const frame = lidarFrame(0);
  const bytes = encodeFrame(frame).byteLength;
  const received = clients.map(async (client) => {
    let n = 0;
    for await (const _ of client) if (++n === frames) break;
  });
  const start = performance.now();
  for (let seq = 0; seq < frames; seq++) {
    server.broadcast({ ...frame, seq });
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(received);
  const seconds = (performance.now() - start) / 1000;
  await server.close();
  return { fps: frames / seconds, mbps: (frames * bytes * clientCount) / seconds / 1e6 };
}

async function recorderRate(compression, frames) {
  const dir = mkdtempSync(join(tmpdir(), 'roadcast-bench-'));
  const file = join(dir, 'bench.mcap');
  const frame = lidarFrame(0);
  const start = performance.now();
  const recorder = await McapRecorder.open(file, { compression });
  for (let seq = 0; seq < frames; seq++) await recorder.write({ ...frame, seq, t_ns: seq * 1e8 });
  await recorder.close();
  const seconds = (performance.now() - start) / 1000;
  const size = statSync(file).size;
  rmSync(dir, { recursive: true, force: true });
  return { mbps: (frames * frame.data.points.bytes.byteLength) / seconds / 1e6, ratio: (frames * frame.data.points.bytes.byteLength) / size };
}

export async function benchIo() {
  const frame = lidarFrame(0);
  const mb = frame.data.points.bytes.byteLength / 1e6;
  const codecRate = await rate(() => decodeFrame(encodeFrame(frame)));
  const jsonRate = await rate(() => jsonBase64(frame));
  const one = await streamTo(1, 40);
  const eight = await streamTo(8, 20);
  const zstd = await recorderRate('zstd', 20);
  const plain = await recorderRate('none', 20);
  const exports = await benchExports();
  return {
    ...exports,
    codec_mb_per_s: codecRate * mb,
    json_base64_mb_per_s: jsonRate * mb,
    codec_speedup_vs_json: codecRate / jsonRate,
    ws_1_client_fps: one.fps,
    ws_1_client_mb_per_s: one.mbps,
    ws_8_clients_fps: eight.fps,
    ws_8_clients_mb_per_s: eight.mbps,
    recorder_zstd_mb_per_s: zstd.mbps,
    recorder_zstd_compression_ratio: zstd.ratio,
    recorder_uncompressed_mb_per_s: plain.mbps,
    ...exports,
  };
}

export function printIo(r) {
  console.log('io: 128 x 2048 LiDAR frame (4.2 MB of points)');
  console.log(`  codec encode+decode   ${r.codec_mb_per_s.toFixed(0)} MB/s   JSON+base64 ${r.json_base64_mb_per_s.toFixed(0)} MB/s   ratio ${r.codec_speedup_vs_json.toFixed(1)}x`);
  console.log(`  WebSocket, 1 client   ${r.ws_1_client_fps.toFixed(1)} frames/s  ${r.ws_1_client_mb_per_s.toFixed(0)} MB/s`);
  console.log(`  WebSocket, 8 clients  ${r.ws_8_clients_fps.toFixed(1)} frames/s  ${r.ws_8_clients_mb_per_s.toFixed(0)} MB/s (all clients)`);
  console.log(`  recorder zstd         ${r.recorder_zstd_mb_per_s.toFixed(0)} MB/s (compression ${r.recorder_zstd_compression_ratio.toFixed(2)}x)   uncompressed ${r.recorder_uncompressed_mb_per_s.toFixed(0)} MB/s`);
  printExports(r);
}
