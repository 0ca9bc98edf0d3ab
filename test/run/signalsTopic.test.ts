// The ground_truth/signals topic of a run on the signalled town: at the first step, at every
// change of state, and at least every second; each signal's place and facing as the town
// generator lays them out.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { loadRunInputs } from '../../src/run/RunInputs.js';
import { runScenario, runTopics } from '../../src/run/runScenario.js';
import { SIGNALS_TOPIC } from '../../src/sensors/SignalTruth.js';

describe('the signals topic', () => {
  it('reports every signal of the town with its state, on changes and once a second', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-signals-'));
    const rig = join(dir, 'rig.yaml');
    writeFileSync(rig, 'sensors:\n  - { name: imu, type: imu, rate: 10 }\n');
    const scenario = join(dir, 'town.yaml');
    writeFileSync(scenario, `name: town lights\nmap: ${join(process.cwd(), 'maps/town.xodr')}\nduration: 30\nbuildings: 0\nsignals: { offsets: { '1001': 0 } }\nactors:\n  - { id: ego, kind: car, ego: true, road: '2', lane: -1, s: 5, speed: 0 }\n`);
    const inputs = await loadRunInputs(scenario, { rig, duration: 30 });
    expect(runTopics(inputs.rig, inputs.scenario.network).map((t) => t.topic)).toContain(SIGNALS_TOPIC);
    const frames: Frame[] = [];
    await runScenario({ scenario: inputs.scenario, rig: inputs.rig, seed: inputs.seed, duration: 30, threads: 1, sinks: [{ write: (f: Frame) => { if (f.topic === SIGNALS_TOPIC) frames.push(f); } }], models: inputs.models });
    // The town (3 × 3 junctions): 36 lights, 72 walk lights, 36 stop lines.
    const first = frames[0];
    expect(first.t_ns).toBe(10_000_000);
    const kinds = first.fields.kinds as string[];
    expect(kinds.filter((k) => k === 'traffic_light').length).toBe(36);
    expect(kinds.filter((k) => k === 'pedestrian_light').length).toBe(72);
    expect(kinds.filter((k) => k === 'stop_line').length).toBe(36);
    // Light 212: street 2 runs east from x = 10 (junction 0,0 at the origin, 10 m half size) at y = 0;
    // the light stands 4.5 m before its end on the right kerb (t = -4.5), facing west (toward traffic).
    const network = inputs.scenario.network;
    const i = (first.fields.ids as string[]).indexOf('212');
    const positions = fieldArray(first.data.positions);
    expect(positions[i * 3]).toBeCloseTo(10 + network.road('2').length - 4.5, 9);
    expect(positions[i * 3 + 1]).toBeCloseTo(-4.5, 9);
    expect(Math.abs(fieldArray(first.data.facing)[i])).toBeCloseTo(Math.PI, 6);
    expect((first.fields.lanes as string[])[i]).toBe('2:-1');
    // Frames: at most a second apart; between two frames no state changed unless the later one shows it.
    for (let k = 1; k < frames.length; k++) expect(frames[k].t_ns - frames[k - 1].t_ns).toBeLessThanOrEqual(1e9);
    // Each light cycles through 50 s (2 × 25 s); in 30 s every junction changes: more than 30 frames.
    expect(frames.length).toBeGreaterThan(30);
    // Light 212 enters junction 1,0 (id 1001) from the west: its east-west controller, first in the
    // cycle, with offset 0: green 0-20 s, amber 20-23 s, red 23-50 s; frames at both changes.
    const plan = (t: number) => (t < 20 ? 'green' : t < 23 ? 'amber' : 'red');
    for (const f of frames) expect((f.fields.states as string[])[i]).toBe(plan(f.t_ns / 1e9));
    expect(frames.some((f) => f.t_ns === 20e9)).toBe(true);
    expect(frames.some((f) => f.t_ns === 23e9)).toBe(true);
    const states = new Set(frames.flatMap((f) => f.fields.states as string[]));
    expect([...states].sort()).toEqual(['', 'amber', 'green', 'red']);
  });
});
