import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../src/core/frame.js';
import { readFrames } from '../src/io/McapSource.js';
import { RoadcastClient } from '../src/io/RoadcastClient.js';
import { startServing, exited } from './helpers.js';

const CLI = 'dist/cli/main.js';
const dir = mkdtempSync(join(tmpdir(), 'roadcast-scenario-run-'));

describe('running scenarios from the CLI', () => {
  it('runs a TypeScript scenario file directly, and records its events as a topic', async () => {
    const file = join(dir, 'cut-in.mcap');
    const result = spawnSync(process.execPath, [CLI, 'run', 'scenarios/cut-in.ts', '--record', file], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Ran 18\.00 s of "cut-in \(TypeScript\)"[\s\S]*Outcome: success/);
    const events: { type: string; t_ns: number }[] = [];
    for await (const frame of readFrames(file)) {
      if (frame.topic !== 'events') continue;
      expect(frame.kind).toBe('events');
      for (const text of frame.fields.events as string[]) events.push({ ...JSON.parse(text), frameTime: frame.t_ns });
    }
    // The storyboard's order of business: the cut-in starts, completes, then the scenario ends.
    const order = events.map((e) => e.type).filter((t) => t === 'laneChangeStart' || t === 'laneChangeDone' || t === 'end');
    expect(order).toEqual(['laneChangeStart', 'laneChangeDone', 'end']);
    // Each event's own time is the time of the step whose frame carries it.
    for (const e of events) expect(e.t_ns).toBe((e as unknown as { frameTime: number }).frameTime);
  });

  it('runs an esmini OpenSCENARIO file with the bundled rig, and ends a scenario when its storyboard says', () => {
    const xosc = spawnSync(process.execPath, [CLI, 'run', 'test/fixtures/esmini/xosc/cut-in.xosc', '--duration', '2', '--no-record'], { encoding: 'utf8' });
    expect(xosc.status).toBe(0);
    expect(xosc.stdout).toMatch(/Ran 2\.00 s of "Basic cut-in".*lidar\/top: 20/);
    const brake = spawnSync(process.execPath, [CLI, 'run', 'scenarios/lead-vehicle-hard-brake.yaml', '--param', 'brakeDecel=5', '--no-record'], { encoding: 'utf8' });
    expect(brake.status).toBe(0);
    expect(brake.stdout).toMatch(/Outcome: success at [\d.]+ s \(stopped behind the lead vehicle\)/);
    const bad = spawnSync(process.execPath, [CLI, 'run', 'scenarios/lead-vehicle-hard-brake.yaml', '--param', 'nope=5'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('drives an externally controlled ego from ego messages on the socket', async () => {
    const scenarioFile = join(dir, 'external.yaml');
    writeFileSync(scenarioFile, [
      'name: external',
      `map: ${resolve('maps/straight_two_lane.xodr')}`,
      `rig: ${resolve('sensors/default.yaml')}`,
      'duration: 4',
      'buildings: 0',
      'actors:',
      '  - { id: ego, kind: car, ego: true, road: "1", lane: -1, s: 20, speed: 0, controllers: [{ type: external }] }',
      '',
    ].join('\n'));
    const { child, url } = await startServing(['run', scenarioFile, '--serve', '--port', '0', '--realtime']);
    const client = await RoadcastClient.connect(url, { topics: ['ground_truth/*'] });
    client.send({ type: 'ego', speed: 8 });
    client.send({ type: 'ego', steer: 3 });
    const frames: Frame[] = [];
    for await (const frame of client) frames.push(frame);
    await exited(child);
    const replies = client.messages.filter((m) => m.type === 'ack' || m.type === 'error');
    // The subscription went in the URL: the first replies are to the ego commands.
    expect(replies[0]).toMatchObject({ type: 'ack', request: 'ego' });
    expect(replies[1]).toMatchObject({ type: 'error', message: '"steer" must be a number from -1 to 1, got 3' });
    // The ego was standing; after the command it drives towards +x along its lane.
    const x = frames.map((f) => new DataView(f.data.boxes.bytes.buffer, f.data.boxes.bytes.byteOffset).getFloat64(0, true));
    expect(x[x.length - 1] - x[0]).toBeGreaterThan(5);
  });
});
