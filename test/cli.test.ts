import { McapIndexedReader } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';
import { loadDecompressHandlers } from '@mcap/support';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServing, exited } from './helpers.js';

// The built CLI, as a user runs it (`npm test` builds first).
const CLI = 'dist/cli/main.js';
const out = mkdtempSync(join(tmpdir(), 'roadcast-cli-'));

function roadcast(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function readMcap(file: string): Promise<{ topics: string[]; encodings: string[]; logTimes: bigint[]; attachments: Map<string, Buffer> }> {
  const handle = await open(file, 'r');
  try {
    const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle), decompressHandlers: await loadDecompressHandlers() });
    const channels = [...reader.channelsById.values()];
    const logTimes: bigint[] = [];
    for await (const message of reader.readMessages()) logTimes.push(message.logTime);
    const attachments = new Map<string, Buffer>();
    for await (const attachment of reader.readAttachments()) attachments.set(attachment.name, Buffer.from(attachment.data));
    return { topics: channels.map((c) => c.topic), encodings: channels.map((c) => c.messageEncoding), logTimes, attachments };
  } finally {
    await handle.close();
  }
}

describe('roadcast run --record', () => {
  it('records one frame per LiDAR period for the duration, byte-identical for the same seed', async () => {
    const a = join(out, 'a.mcap');
    const b = join(out, 'b.mcap');
    const c = join(out, 'c.mcap');
    for (const [file, seed] of [[a, '3'], [b, '3'], [c, '4']]) {
      const result = roadcast('run', 'scenarios/straight-road.yaml', '--duration', '1.5', '--seed', seed, '--record', file);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(`Recorded to ${file}`);
    }
    // The default rig's LiDAR runs at 10 Hz: frames at 0.0, 0.1, ..., 1.4 s.
    const recording = await readMcap(a);
    expect(recording.topics).toEqual(['ground_truth/actors', 'lidar/top']);
    expect(recording.encodings).toEqual(['msgpack', 'msgpack']);
    // Both sensors fire at 10 Hz; a LiDAR sweep is written when it completes, stamped with its start.
    expect(recording.logTimes).toEqual(Array.from({ length: 30 }, (_, i) => BigInt(i >> 1) * 100_000_000n));
    // The files the run was made from travel with it, so it can be re-run exactly.
    expect([...recording.attachments.keys()]).toEqual(['scenario/straight-road.yaml', 'rig/default.yaml', 'map/straight_two_lane.xodr']);
    expect(recording.attachments.get('map/straight_two_lane.xodr')!.equals(readFileSync('maps/straight_two_lane.xodr'))).toBe(true);
    expect(recording.attachments.get('scenario/straight-road.yaml')!.equals(readFileSync('scenarios/straight-road.yaml'))).toBe(true);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    // Another seed places the roadside buildings elsewhere.
    expect(readFileSync(a).equals(readFileSync(c))).toBe(false);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const inspected = roadcast('inspect', a);
    expect(inspected.status).toBe(0);
    expect(inspected.stdout).toMatch(/lidar\/top\s+15 frames\s+10\.00 Hz/);
    expect(inspected.stdout).toMatch(/ground_truth\/actors\s+15 frames\s+10\.00 Hz/);
    expect(inspected.stdout).toMatch(/duration: 1\.400 s/);
    const json = JSON.parse(roadcast('inspect', a, '--json').stdout);
    expect(json.topics).toEqual([
      expect.objectContaining({ topic: 'ground_truth/actors', kind: 'ground_truth', count: 15 }),
      expect.objectContaining({ topic: 'lidar/top', kind: 'lidar', count: 15 }),
    ]);
    expect(json.metadata.seed).toBe('3');
  });
});

describe('roadcast run --threads', () => {
  it('records byte-identical files with every sensor of the full rig on one, two and three threads', () => {
    const files = ['1', '2', '3'].map((threads) => {
      const file = join(out, `threads-${threads}.mcap`);
      const result = roadcast('run', 'scenarios/straight-road.yaml', '--rig', 'sensors/full.yaml', '--duration', '0.5', '--threads', threads, '--record', file);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('camera/front: 5');
      return readFileSync(file);
    });
    expect(files[0].equals(files[1])).toBe(true);
    expect(files[0].equals(files[2])).toBe(true);
  });

  it('refuses zero threads in one line', () => {
    const result = roadcast('run', 'scenarios/straight-road.yaml', '--threads', '0');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toBe(`roadcast: option '--threads <n>' argument '0' is invalid. expected a whole number >= 1, got "0"\n`);
  });
});

describe('roadcast run --serve', () => {
  it('streams frames to a real WebSocket client that decodes them with msgpackr', async () => {
    const { child, url } = await startServing(['run', 'scenarios/straight-road.yaml', '--serve', '--port', '0', '--realtime', '--duration', '2']);
    const client = new WebSocket(url);
    const frames: Record<string, unknown>[] = [];
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    // Binary messages are frames; text ones are the control channel (hello, acks, stats).
    client.on('message', (data: Buffer, binary: boolean) => {
      if (binary) frames.push(unpack(data) as Record<string, unknown>);
    });
    const exitCode = await exited(child);
    await closed;
    expect(exitCode).toBe(0);
    expect(frames.length).toBeGreaterThanOrEqual(5);
    let lastSeq = -1;
    const lidarFrames = frames.filter((f) => f.topic === 'lidar/top');
    expect(frames.filter((f) => f.topic !== 'lidar/top').every((f) => f.topic === 'ground_truth/actors')).toBe(true);
    expect(lidarFrames.length).toBeGreaterThanOrEqual(5);
    for (const frame of lidarFrames) {
      expect(frame.v).toBe(1);
      expect(frame.topic).toBe('lidar/top');
      expect(frame.seq).toBeGreaterThan(lastSeq as number);
      lastSeq = frame.seq as number;
      const points = (frame.data as Record<string, { dtype: string; shape: number[]; bytes: Uint8Array }>).points;
      expect(points.dtype).toBe('float32');
      expect(points.shape[1]).toBe(4);
      expect(points.shape[0]).toBeGreaterThan(1000);
      expect(points.bytes.byteLength).toBe(points.shape[0] * 16);
      // Every point lies within the rig's 100 m range.
      const view = new DataView(points.bytes.buffer, points.bytes.byteOffset, points.bytes.byteLength);
      for (let i = 0; i < points.shape[0]; i += 97) {
        const r = Math.hypot(view.getFloat32(i * 16, true), view.getFloat32(i * 16 + 4, true), view.getFloat32(i * 16 + 8, true));
        expect(r).toBeGreaterThan(0.5);
        expect(r).toBeLessThanOrEqual(100.001);
      }
    }
  });
});

describe('bad input', () => {
  it('a missing scenario file prints one line and exits non-zero', () => {
    const result = roadcast('run', 'scenarios/nope.yaml');
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('roadcast: scenarios/nope.yaml: no such scenario file\n');
    expect(result.stdout).toBe('');
  });

  it('an unknown flag prints one line and exits non-zero', () => {
    const result = roadcast('run', 'scenarios/straight-road.yaml', '--bogus');
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual(["roadcast: unknown option '--bogus'"]);
  });

  it('a mistyped flag or command suggests the nearest, on the same line', () => {
    const flag = roadcast('run', 'scenarios/straight-road.yaml', '--duraton', '2');
    expect(flag.status).toBe(1);
    expect(flag.stderr).toBe("roadcast: unknown option '--duraton' (Did you mean --duration?)\n");
    const command = roadcast('inspcet', 'x.mcap');
    expect(command.status).toBe(1);
    expect(command.stderr).toBe("roadcast: unknown command 'inspcet' (Did you mean inspect?)\n");
    const sub = roadcast('map', 'ifno', 'maps/town.xodr');
    expect(sub.stderr).toBe("roadcast: unknown command 'ifno' (Did you mean info?)\n");
  });

  it('prints its help without loading the simulator', () => {
    // Which modules `--help` loads, logged by a module hook: the command line's own, not
    // three.js, the raycast kernel, the servers or the recorder.
    const log = join(out, 'help-modules.txt');
    const hook = pathToFileURL(join('test', 'moduleLog.hook.mjs')).href;
    const result = spawnSync(process.execPath, ['--import', `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(hook)})`, CLI, '--help'], {
      encoding: 'utf8', env: { ...process.env, ROADCAST_MODULE_LOG: log },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: roadcast');
    const modules = readFileSync(log, 'utf8').trim().split('\n');
    expect(modules).toContain(pathToFileURL(resolve(CLI)).href);
    const heavy = modules.filter((url) => /node_modules\/(three|ws|msgpackr|@mcap|@foxglove|cannon-es|yaml|saxes)\/|dist\/(raycast|sensors|sim|world|map)\//.test(url));
    expect(heavy).toEqual([]);
  });

  it('a bad flag value prints one line and exits non-zero', () => {
    const result = roadcast('run', 'scenarios/straight-road.yaml', '--duration', '-2');
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--duration.*expected a number of seconds > 0, got "-2"/);
  });

  it('inspecting a file that is not MCAP fails clearly', () => {
    const result = roadcast('inspect', 'README.md');
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^roadcast: README\.md/);
  });

  it('--help describes every flag', () => {
    const help = roadcast('run', '--help').stdout;
    for (const flag of ['--seed', '--duration', '--rig', '--record', '--serve', '--host', '--port', '--realtime']) expect(help).toContain(flag);
    expect(roadcast('--help').stdout).toMatch(/run \[options\] <scenario>[\s\S]*inspect \[options\] <file>/);
  });
});

describe('roadcast run --rig', () => {
  it('runs the full preset rig: every sensor on its own topic at its own rate', async () => {
    const file = join(out, 'full.mcap');
    const result = roadcast('run', 'scenarios/straight-road.yaml', '--rig', 'sensors/full.yaml', '--duration', '0.5', '--record', file);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const json = JSON.parse(roadcast('inspect', file, '--json').stdout);
    const counts = Object.fromEntries(json.topics.map((t: { topic: string; count: number }) => [t.topic, t.count]));
    expect(counts).toEqual({
      'lidar/top': 5, 'camera/front': 5, 'radar/front_radar': 10, 'radar/front_left': 10, 'radar/front_right': 10,
      'imu/imu': 50, 'gnss/gnss': 5, 'ground_truth/actors': 5,
    });
  });
});

describe('npm start', () => {
  it('runs the default scenario on the bundled town and says where the recording is', () => {
    const file = join(out, 'default.mcap');
    const result = roadcast('run', 'scenarios/default.yaml', '--duration', '1', '--record', file);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Ran 1\.00 s of "default" \(seed 1\): lidar\/top: 10, ground_truth\/actors: 10/);
    expect(result.stdout).toContain(`Recorded to ${file}`);
    expect(result.stdout).toContain('Inspect it with: npx roadcast inspect');
  });
});

describe('roadcast run: outcome and exit status', () => {
  /** The ego at 10 m/s, 10 m behind a stopped car, nobody braking: a collision. */
  function crashScenario(): string {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-crash-'));
    const file = join(dir, 'crash.yaml');
    writeFileSync(file, [
      'name: crash',
      `map: ${resolve('maps/straight_two_lane.xodr')}`,
      `rig: ${resolve('sensors/default.yaml')}`,
      'duration: 3',
      'buildings: 0',
      'actors:',
      '  - { id: ego, kind: car, ego: true, road: "1", lane: -1, s: 30, speed: 10 }',
      '  - { id: parked, kind: parked_car, road: "1", lane: -1, s: 40 }',
      'storyboard:',
      '  events:',
      '    - { name: hit, trigger: { type: collision, entity: ego }, actions: [{ type: end, outcome: failure, reason: the ego hit the parked car }] }',
      '',
    ].join('\n'));
    return file;
  }

  it('prints how the run ended: the storyboard\'s failure, or timeout when the duration runs out first', () => {
    const file = crashScenario();
    const result = roadcast('run', file, '--no-record');
    expect(result.status).toBe(0);
    // Bumpers meet when the 10 m between centres less one car length (4.6 m) is covered at 10 m/s.
    const match = /Outcome: failure at (\d+\.\d+) s \(the ego hit the parked car\)/.exec(result.stdout);
    expect(match).not.toBeNull();
    expect(Math.abs(Number(match![1]) - (10 - 4.6) / 10)).toBeLessThanOrEqual(0.02);
    const timeout = roadcast('run', 'scenarios/straight-road.yaml', '--duration', '0.5', '--no-record');
    expect(timeout.stdout).toContain('Outcome: timeout at 0.50 s (the duration (0.50 s) ran out before the storyboard ended the scenario)');
  });

  it('exits 2 with --fail-on when the run ends as it names, 0 otherwise', () => {
    const file = crashScenario();
    const failure = roadcast('run', file, '--no-record', '--fail-on', 'failure');
    expect(failure.status).toBe(2);
    expect(failure.stderr).toContain('roadcast: the run failed (--fail-on failure)');
    expect(roadcast('run', file, '--no-record', '--fail-on', 'collision').status).toBe(2);
    expect(roadcast('run', 'scenarios/straight-road.yaml', '--duration', '0.3', '--no-record', '--fail-on', 'failure', 'collision').status).toBe(0);
    expect(roadcast('run', 'scenarios/straight-road.yaml', '--duration', '0.3', '--no-record', '--fail-on', 'timeout').status).toBe(2);
    const wrong = roadcast('run', file, '--fail-on', 'crash');
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/^roadcast: option '--fail-on <outcome\.\.\.>' argument 'crash' is invalid\. Allowed choices are failure, collision, timeout\./);
  });

  it('records to out/<scenario>.mcap when given neither --record nor --serve, and says so', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'roadcast-default-record-'));
    const result = spawnSync(process.execPath, [resolve(CLI), 'run', resolve('scenarios/straight-road.yaml'), '--duration', '0.2'], { cwd, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`Recorded to ${join('out', 'straight-road.mcap')}`);
    expect(existsSync(join(cwd, 'out', 'straight-road.mcap'))).toBe(true);
    const discarded = spawnSync(process.execPath, [resolve(CLI), 'run', resolve('scenarios/straight-road.yaml'), '--duration', '0.2', '--no-record'], { cwd: mkdtempSync(join(tmpdir(), 'roadcast-no-record-')), encoding: 'utf8' });
    expect(discarded.status).toBe(0);
    expect(discarded.stderr).toBe('roadcast: warning: --no-record without --serve or --foxglove: the frames are computed and discarded\n');
    expect(discarded.stdout).not.toContain('Recorded to');
  });
});

describe('roadside dressing', () => {
  it('--no-dressing takes every roadside object away: ground truth holds the scenario\'s actors alone', async () => {
    const file = join(out, 'bare.mcap');
    const result = roadcast('run', 'scenarios/default.yaml', '--duration', '0.1', '--no-dressing', '--record', file);
    expect(result.status).toBe(0);
    const { readFrames, inspectRecording } = await import('../src/io/McapSource.js');
    expect((await inspectRecording(file)).metadata.dressing).toBe('none');
    for await (const frame of readFrames(file)) {
      if (frame.topic === 'ground_truth/actors') expect(frame.fields.actor_ids).toEqual(['ego', 'lead', 'oncoming', 'walker']);
    }
    // Dressed as the scenario says: its 24 buildings and the street furniture, parked cars among the actors.
    const dressed = join(out, 'dressed.mcap');
    expect(roadcast('run', 'scenarios/default.yaml', '--duration', '0.1', '--record', dressed).status).toBe(0);
    expect((await inspectRecording(dressed)).metadata.dressing).toBe('24 buildings, street furniture');
    for await (const frame of readFrames(dressed)) {
      if (frame.topic === 'ground_truth/actors') expect((frame.fields.actor_ids as string[]).filter((id) => id.startsWith('roadside_')).length).toBeGreaterThan(0);
    }
  });

  it('a scenario turns it off with dressing: false, or sets buildings and furniture apart', async () => {
    const { loadScenario } = await import('../src/scenario/loadScenario.js');
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-dressing-'));
    const write = (name: string, dressing: string): string => {
      const file = join(dir, name);
      writeFileSync(file, [`name: ${name}`, `map: ${resolve('maps/town.xodr')}`, dressing, 'actors: [{ id: ego, kind: car, ego: true, road: "6", lane: -1, s: 5 }]', ''].join('\n'));
      return file;
    };
    expect(loadScenario(write('off.yaml', 'dressing: false'))).toMatchObject({ buildings: 0, furniture: false });
    expect(loadScenario(write('trees.yaml', 'dressing: { buildings: 3, furniture: true }'))).toMatchObject({ buildings: 3, furniture: true });
    expect(loadScenario(write('bare-street.yaml', 'dressing: { furniture: false }'))).toMatchObject({ buildings: 12, furniture: false });
    const twice = write('twice.yaml', 'buildings: 4\ndressing: { buildings: 3 }');
    expect(() => loadScenario(twice)).toThrow(`${twice}:4 ($.dressing.buildings): give the number of buildings once: in "buildings" or in "dressing"`);
  });
});
