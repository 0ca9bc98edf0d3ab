/**
 * Truncated and corrupted MCAP recordings through inspect, inspect --recover, replay (with
 * Foxglove) and every export: a clean one-line error or a recovered prefix, never a stack;
 * `inspect --recover` reads the intact chunks after a damaged one; a damaged map attachment
 * costs the map, not the export or the Foxglove client; the compression modules' process
 * handlers no longer turn an uncaught error into exit status 7.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wsProtocol, { type Channel, type IWebSocket } from '@foxglove/ws-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Frame } from '../../src/core/frame.js';
import { decompressors } from '../../src/io/decompressors.js';
import { FoxgloveBridge } from '../../src/io/foxglove/FoxgloveBridge.js';
import { McapRecorder } from '../../src/io/McapRecorder.js';
import { readFrames, recoverRecording } from '../../src/io/McapSource.js';
import { exited } from '../helpers.js';
import { CLI, expectOneLineError, HEAP_MB, roadcast, roadcastAsync } from './bounded.js';

const dir = mkdtempSync(join(tmpdir(), 'roadcast-recordings-'));
/** Commands that do real work on valid data before the part under test (a hang detector all the same). */
const WORK_MS = 60_000;
const good = join(dir, 'good.mcap');
let bytes: Buffer;
let frames: Frame[];

/** Top-level MCAP records: opcode, offset of the record and length of its body. */
function records(data: Uint8Array): { opcode: number; offset: number; length: number }[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: { opcode: number; offset: number; length: number }[] = [];
  for (let p = 8; p + 9 <= data.length;) {
    const opcode = data[p];
    const length = Number(view.getBigUint64(p + 1, true));
    out.push({ opcode, offset: p, length });
    if (opcode === 0x02) break;
    p += 9 + length;
  }
  return out;
}
const CHUNK = 0x06;
const ATTACHMENT = 0x09;
const STATISTICS = 0x0b;

function variant(name: string, change: (copy: Buffer) => Buffer | void): string {
  const copy = Buffer.from(bytes);
  const file = join(dir, name);
  writeFileSync(file, change(copy) ?? copy);
  return file;
}

// Some 30 MB of damaged copies.
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const made = spawnSync(process.execPath, [CLI, 'run', 'scenarios/straight-road.yaml', '--duration', '2', '--record', good], { encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  bytes = readFileSync(good);
  frames = [];
  for await (const frame of readFrames(good)) frames.push(frame);
  expect(frames).toHaveLength(40);
}, 120_000);

describe('truncated and corrupted recordings', () => {
  it('a recording cut anywhere is one line for inspect, replay and every export, and a prefix for --recover', () => {
    const chunks = records(bytes).filter((r) => r.opcode === CHUNK);
    for (const cut of [5, chunks[1].offset + 1000, bytes.length - 200]) {
      const file = variant(`cut-${cut}.mcap`, (copy) => copy.subarray(0, cut));
      const out = join(dir, `out-cut-${cut}`);
      for (const args of [['inspect', file], ['replay', file, '--port', '0'], ['export', file, '--format', 'pcd', '--out', out], ['export', file, '--format', 'kitti', '--out', out], ['export', file, '--format', 'foxglove', '--out', `${out}.mcap`], ['export', file, '--format', 'ros2', '--out', `${out}.ros2.mcap`], ['export', file, '--format', 'openlabel', '--out', `${out}.json`], ['export', file, '--format', 'nuscenes', '--out', out]]) {
        const line = expectOneLineError(roadcast(args), /^roadcast: .*cut-\d+\.mcap: /);
        if (cut >= 8) expect(line, args.join(' ')).toMatch(/damaged or unfinished\? Try inspect --recover/);
      }
      expect(readdirSync(dir).filter((f) => f.includes(`out-cut-${cut}`))).toEqual([]);
      const recovered = roadcast(['inspect', '--recover', file]);
      if (cut < 8) {
        expectOneLineError(recovered, /is not an MCAP recording/);
      } else {
        expect(recovered.stderr).toBe('');
        expect(recovered.status).toBe(0);
        expect(recovered.stdout).toMatch(/recovered: read \d+ of \d+ bytes without the index/);
      }
    }
  }, 300_000);

  it('--recover reads the intact chunks after a damaged one, and the indexed commands name the damage', async () => {
    const chunks = records(bytes).filter((r) => r.opcode === CHUNK);
    const damaged = chunks[3];
    const file = variant('flipped-chunk.mcap', (copy) => {
      copy[damaged.offset + 9 + Math.floor(damaged.length / 2)] ^= 0xff;
    });
    const { summary, frames: recovered } = await recoverRecording(file);
    expect(summary.recovered?.damagedRecords).toBe(1);
    // Every frame outside the damaged chunk, in order: those before it and those after.
    const lost = frames.length - recovered.length;
    expect(lost).toBeGreaterThan(0);
    expect(lost).toBeLessThan(10);
    const key = (f: Frame): string => `${f.topic}@${f.t_ns}`;
    const all = frames.map(key);
    const got = recovered.map(key);
    expect(got.every((k) => all.includes(k))).toBe(true);
    expect(got.at(-1)).toBe(all.at(-1));
    const cli = roadcast(['inspect', '--recover', file]);
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/skipping 1 damaged record/);

    // A damaged length field: the walk finds the next chunk that reads whole.
    const lengthFile = variant('flipped-length.mcap', (copy) => {
      copy[damaged.offset + 8] = 0x7f;
    });
    const byLength = await recoverRecording(lengthFile);
    expect(byLength.frames.map(key)).toEqual(got);

    // The index is intact, so inspect answers; reading the frames meets the bad chunk.
    expect(roadcast(['inspect', file]).status).toBe(0);
    const out = join(dir, 'out-flipped');
    expectOneLineError(roadcast(['export', file, '--format', 'pcd', '--out', out], WORK_MS), /flipped-chunk\.mcap: cannot read the recording: (Incorrect chunk CRC|Error during decompression)/);
    expectOneLineError(roadcast(['export', file, '--format', 'foxglove', '--out', `${out}.mcap`], WORK_MS), /cannot read the recording/);
    expectOneLineError(roadcast(['export', file, '--format', 'nuscenes', '--out', out], WORK_MS), /flipped-chunk\.mcap: cannot read the recording/);
    expect(existsSync(out) || existsSync(`${out}.mcap`)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expectOneLineError(await roadcastAsync(['replay', file, '--port', '0', '--rate', '20'], 30_000), /flipped-chunk\.mcap: cannot read the recording/);
  }, 180_000);

  it('a damaged summary is one line, and --recover still reads every frame', async () => {
    const statistics = records(bytes).find((r) => r.opcode === STATISTICS)!;
    const file = variant('flipped-summary.mcap', (copy) => {
      copy[statistics.offset + 1] ^= 0xff;
    });
    expectOneLineError(roadcast(['inspect', file]), /flipped-summary\.mcap: is an MCAP file roadcast cannot read; is it damaged or unfinished\?/);
    const { frames: recovered } = await recoverRecording(file);
    expect(recovered).toHaveLength(frames.length);
  });

  it('export --format pcd of a recording without a LiDAR is one line, not a rename stack', () => {
    const rig = join(dir, 'truth-only.yaml');
    writeFileSync(rig, 'sensors:\n  - { name: actors, type: ground_truth, rate: 10 }\n');
    const file = join(dir, 'no-lidar.mcap');
    expect(spawnSync(process.execPath, [CLI, 'run', 'scenarios/straight-road.yaml', '--rig', rig, '--duration', '0.3', '--record', file]).status).toBe(0);
    const out = join(dir, 'pcd-none');
    expectOneLineError(roadcast(['export', file, '--format', 'pcd', '--out', out]), /no-lidar\.mcap: the recording has no LiDAR topic, so there is nothing to write as PCD/);
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});

describe('a recording that is not a file', () => {
  it('a FIFO or a device is one line for inspect and --recover, never a wait for a writer', () => {
    const fifo = join(dir, 'pipe.mcap');
    if (spawnSync('mkfifo', [fifo]).status === 0) {
      expectOneLineError(roadcast(['inspect', fifo]), /pipe\.mcap: is not a regular file \(a device, pipe or socket\), not an MCAP recording$/);
      expectOneLineError(roadcast(['inspect', '--recover', fifo]), /pipe\.mcap: is not a regular file/);
    }
    expectOneLineError(roadcast(['inspect', '--recover', '/dev/zero']), /^roadcast: \/dev\/zero: is not a regular file/);
    expectOneLineError(roadcast(['replay', '/dev/zero', '--port', '0']), /^roadcast: \/dev\/zero: is not a regular file/);
  });

  it('a device as the output is refused, not renamed over', () => {
    expectOneLineError(roadcast(['map', 'generate', '--out', '/dev/null']), /^roadcast: \/dev\/null: is not a regular file \(a device, pipe or socket\); give a file name$/);
    expectOneLineError(roadcast(['export', good, '--format', 'foxglove', '--out', '/dev/null'], WORK_MS), /^roadcast: \/dev\/null: is not a regular file/);
    expectOneLineError(roadcast(['run', 'scenarios/straight-road.yaml', '--duration', '0.1', '--record', '/dev/null'], 60_000), /^roadcast: \/dev\/null: is not a regular file/);
    expect(readdirSync('/dev').filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);
});

describe('a damaged map attachment', () => {
  /** The good recording's frames, re-recorded with `map` as the map attachment's bytes. */
  async function withMap(name: string, map: string): Promise<string> {
    const file = join(dir, name);
    const recorder = await McapRecorder.open(file, { attachments: [{ name: 'map/bad.xodr', mediaType: 'application/xml', data: new TextEncoder().encode(map) }] });
    for (const frame of frames) await recorder.write(frame);
    await recorder.close();
    return file;
  }

  it('export --format foxglove warns in one line and writes the frames without the map', async () => {
    const absurd = `<?xml version="1.0"?>\n<OpenDRIVE>\n<road id="1" length="1e308"><planView/></road></OpenDRIVE>\n`;
    for (const [name, map, why] of [
      ['absurd-map.mcap', absurd, /road 1: length 1e\+308 is beyond the longest road/],
      ['garbage-map.mcap', '<OpenDRIVE><road', /XML is not well-formed/],
    ] as const) {
      const file = await withMap(name, map);
      const out = join(dir, `${name}.foxglove.mcap`);
      const result = roadcast(['export', file, '--format', 'foxglove', '--out', out], WORK_MS);
      expect(result.status, result.stderr).toBe(0);
      const warnings = result.stderr.trim().split('\n');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^roadcast: warning: .*\(attachment map\/bad\.xodr\)/);
      expect(warnings[0]).toMatch(why);
      expect(warnings[0]).toMatch(/; the export has no map$/);
      expect(result.stdout).toMatch(/Wrote \d+ Foxglove messages/);
      expect(result.stdout).not.toMatch(/\bmap: /);
    }
    // An attachment whose bytes fail their CRC: the same.
    const attachment = records(bytes).find((r) => r.opcode === ATTACHMENT && bytes.subarray(r.offset, r.offset + 200).includes('map/'))!;
    const crc = variant('attachment-crc.mcap', (copy) => {
      copy[attachment.offset + attachment.length - 40] ^= 0xff;
    });
    const result = roadcast(['export', crc, '--format', 'foxglove', '--out', join(dir, 'crc.foxglove.mcap')], WORK_MS);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^roadcast: warning: .*attachment-crc\.mcap: cannot read the recording: .*; the export has no map\n$/);
  }, 180_000);

  it('replay --foxglove warns in one line and streams the frames without a map', async () => {
    const file = await withMap('replay-bad-map.mcap', '<OpenDRIVE><road');
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, CLI, 'replay', file, '--port', '0', '--foxglove', '--foxglove-port', '0', '--loop']);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', () => {
          const match = /Foxglove WebSocket on (ws:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (match) resolve(match[1]);
        });
        child.once('exit', () => reject(new Error(`replay exited: ${stderr}`)));
      });
      const socket = new WebSocket(url, [wsProtocol.FoxgloveClient.SUPPORTED_SUBPROTOCOL]);
      const client = new wsProtocol.FoxgloveClient({ ws: socket as unknown as IWebSocket });
      const channels: Channel[] = [];
      const topics = new Map<number, string>();
      const received: string[] = [];
      client.on('advertise', (list) => channels.push(...list));
      client.on('message', (event) => received.push(topics.get(event.subscriptionId)!));
      const deadline = Date.now() + 20_000;
      while (!channels.some((c) => c.topic === 'map') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const topic of ['map', 'lidar/top']) topics.set(client.subscribe(channels.find((c) => c.topic === topic)!.id), topic);
      while (received.filter((t) => t === 'lidar/top').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(received.filter((t) => t === 'lidar/top').length).toBeGreaterThanOrEqual(3);
      expect(received).not.toContain('map');
      expect(child.exitCode).toBeNull();
      socket.close();
    } finally {
      child.kill('SIGINT');
      await exited(child);
    }
    expect(child.exitCode).toBe(0);
    expect(stderr).toMatch(/^roadcast: warning: .*\(attachment map\/bad\.xodr\):1: XML is not well-formed.*; the viewer and Foxglove show no map\n$/);
  }, 120_000);
});

describe('a map that cannot be built for a Foxglove client', () => {
  it('is an error status to that client, and the bridge carries on', async () => {
    const bridge = new FoxgloveBridge({ port: 0, topics: [{ topic: 'events', kind: 'events' }], scene: () => Promise.reject(new Error('the map is damaged')) });
    const url = await bridge.start();
    const socket = new WebSocket(url, [wsProtocol.FoxgloveClient.SUPPORTED_SUBPROTOCOL]);
    const client = new wsProtocol.FoxgloveClient({ ws: socket as unknown as IWebSocket });
    const channels: Channel[] = [];
    const statuses: string[] = [];
    client.on('advertise', (list) => channels.push(...list));
    client.on('status', (status) => statuses.push(status.message));
    try {
      const deadline = Date.now() + 20_000;
      while (!channels.some((c) => c.topic === 'map') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      client.subscribe(channels.find((c) => c.topic === 'map')!.id);
      while (statuses.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(statuses).toEqual(['the map cannot be sent: the map is damaged']);
      await bridge.write({ v: 1, topic: 'events', kind: 'events', seq: 0, t_ns: 0, frame_id: 'world', pose: { p: [0, 0, 0], q: [0, 0, 0, 1] }, fields: { events: [] }, data: {} });
    } finally {
      socket.close();
      await bridge.close();
    }
  });
});

describe('uncaught errors after the decompressors load', () => {
  it('leave no process handlers of the WebAssembly modules behind', async () => {
    const before = process.listeners('uncaughtException').length + process.listeners('unhandledRejection').length;
    await decompressors();
    expect(process.listeners('uncaughtException').length + process.listeners('unhandledRejection').length).toBe(before);
  });

  it('exit with status 1 and their own stack, not 7 from an emscripten handler', () => {
    const script = "import('./dist/io/decompressors.js').then((m) => m.decompressors()).then(() => setTimeout(() => { throw new Error('an unexpected error') }))";
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Error: an unexpected error\n\s+at Timeout\._onTimeout/);
    expect(result.stderr).not.toMatch(/wasm-bz2|module\.js/);
  });
});
