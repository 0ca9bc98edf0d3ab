// Stop and give-way signs: a full stop at a stop line, then gap acceptance against priority traffic, on a
// one-junction town whose east-west street has priority (roadcast map generate --control stop-signs).
import { describe, expect, it } from 'vitest';
import { parseOpenDrive } from '../../src/map/OpenDriveReader.js';
import { generateTown } from '../../src/map/TownGenerator.js';
import { buildScenario, type ScenarioDefinition } from '../../src/scenario/definition.js';
import { Simulation } from '../../src/sim/Simulation.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Junction 1000 at the origin, 20 m square. Road 1 comes from the west (x = -40 → -10, priority),
// road 3 from the south (y = -40 → -10), whose lane -1 has its stop line and stop sign at s = 25.5.
const dir = mkdtempSync(join(tmpdir(), 'roadcast-yield-'));
const file = join(dir, 'stop.xodr');
writeFileSync(file, generateTown({ columns: 1, rows: 1, block: 80, seed: 1, control: 'stop_signs' }));
const network = parseOpenDrive(generateTown({ columns: 1, rows: 1, block: 80, seed: 1, control: 'stop_signs' }), file);

// The same town with give-way signs (StVO 205) where it has stop signs: the same lines, no full stop.
const giveWayFile = join(dir, 'giveway.xodr');
const giveWayText = generateTown({ columns: 1, rows: 1, block: 80, seed: 1, control: 'stop_signs' }).replace(/name="stop"(.*?)type="206"/g, 'name="give way"$1type="205"');
writeFileSync(giveWayFile, giveWayText);
const giveWayNetwork = parseOpenDrive(giveWayText, giveWayFile);

function run(actors: ScenarioDefinition['actors'], seconds: number, map = { file, network }) {
  const sim = new Simulation(buildScenario({ name: 'stop', map: map.file, buildings: 0, actors } as ScenarioDefinition, { file: join(dir, 'x.yaml'), network: map.network }), 1);
  const track: { t: number; id: string; road: string; s: number; speed: number; length: number }[] = [];
  for (let i = 0; i < seconds / sim.scenario.step; i++) {
    const state = sim.step();
    for (const a of state.actors) track.push({ t: sim.time, id: a.id, road: a.road, s: a.s, speed: a.speed, length: a.box.length });
  }
  return track;
}

describe('stop signs', () => {
  it('bring a driver to a full stop at the line even with no one about, then let it go', () => {
    const track = run([{ id: 'minor', kind: 'car', ego: true, road: '3', lane: -1, s: 2, speed: 8, controllers: [{ type: 'idm', desiredSpeed: 8 }] }], 15);
    const minor = track.filter((p) => p.id === 'minor');
    const onApproach = minor.filter((p) => p.road === '3');
    const slowest = onApproach.reduce((a, b) => (b.speed < a.speed ? b : a));
    expect(slowest.speed).toBeLessThan(0.1);
    const gap = 25.5 - (slowest.s + slowest.length / 2);
    expect(gap).toBeGreaterThanOrEqual(0);
    expect(gap).toBeLessThanOrEqual(1);
    expect(minor[minor.length - 1].road).not.toBe('3');
  });

  it('keep the minor driver at the line until priority traffic has cleared the junction and none comes within 6.5 s', () => {
    // Priority car: from x = -40 at 10 m/s, it reaches the junction at 3 s and leaves it at 5 s
    // (front bumper in at 30 m − half its length, rear out 20 m later plus its length).
    const track = run([
      { id: 'minor', kind: 'car', ego: true, road: '3', lane: -1, s: 2, speed: 8, controllers: [{ type: 'idm', desiredSpeed: 8 }] },
      { id: 'major', kind: 'car', road: '1', lane: -1, s: 0, speed: 10, controllers: [{ type: 'idm', desiredSpeed: 10 }] },
    ], 15);
    const major = track.filter((p) => p.id === 'major');
    const minor = track.filter((p) => p.id === 'minor');
    const majorLeft = major.find((p) => p.road !== '1' && network.road(p.road).junction === '-1')!.t;
    const minorEntered = minor.find((p) => p.road !== '3')!.t;
    expect(minorEntered).toBeGreaterThan(majorLeft);
    // It stopped fully at the line before that.
    expect(Math.min(...minor.filter((p) => p.road === '3').map((p) => p.speed))).toBeLessThan(0.1);
  });
});

describe('give-way signs', () => {
  const giveWay = { file: giveWayFile, network: giveWayNetwork };
  const minorCar = { id: 'minor', kind: 'car', ego: true, road: '3', lane: -1, s: 2, speed: 8, controllers: [{ type: 'idm', desiredSpeed: 8 }] } as const;

  it('are read as give-way signs on the minor approaches', () => {
    const kinds = giveWayNetwork.roads.flatMap((r) => r.signals.map((x) => x.kind));
    expect(kinds.filter((k) => k === 'give_way_sign')).toHaveLength(kinds.filter((k) => k === 'stop_line').length);
    expect(kinds).not.toContain('stop_sign');
  });

  it('let a driver through without stopping when no priority traffic comes', () => {
    const minor = run([minorCar], 8, giveWay).filter((p) => p.id === 'minor');
    // Unlike at a stop sign it never slows to a stop: it keeps most of its 8 m/s over the line.
    expect(Math.min(...minor.filter((p) => p.road === '3').map((p) => p.speed))).toBeGreaterThan(5);
    expect(minor[minor.length - 1].road).not.toBe('3');
  });

  it('let a driver through when the priority car is more than 6.5 s from the junction', () => {
    // The priority car at 2 m/s from s = 0: its front bumper has 30 − 2.3 m to the junction, over
    // 10 s away while the minor car covers its 21 m to the line (under 3 s at 8 m/s).
    const track = run([minorCar, { id: 'major', kind: 'car', road: '1', lane: -1, s: 0, speed: 2, controllers: [{ type: 'idm', desiredSpeed: 2 }] }], 8, giveWay);
    const minor = track.filter((p) => p.id === 'minor');
    expect(Math.min(...minor.filter((p) => p.road === '3').map((p) => p.speed))).toBeGreaterThan(5);
    const majorEntered = track.find((p) => p.id === 'major' && p.road !== '1')?.t ?? Infinity;
    expect(minor.find((p) => p.road !== '3')!.t).toBeLessThan(majorEntered);
  });

  it('hold a driver at the line until the priority car has cleared the junction', () => {
    // The priority car at 10 m/s from s = 0 reaches the junction at ~2.8 s and leaves it at ~5 s.
    const track = run([minorCar, { id: 'major', kind: 'car', road: '1', lane: -1, s: 0, speed: 10, controllers: [{ type: 'idm', desiredSpeed: 10 }] }], 15, giveWay);
    const major = track.filter((p) => p.id === 'major');
    const minor = track.filter((p) => p.id === 'minor');
    const majorLeft = major.find((p) => p.road !== '1' && giveWayNetwork.road(p.road).junction === '-1')!.t;
    expect(minor.find((p) => p.road !== '3')!.t).toBeGreaterThan(majorLeft);
    // It waited within a metre before the line (front bumper), as at a stop sign.
    const slowest = minor.filter((p) => p.road === '3').reduce((a, b) => (b.speed < a.speed ? b : a));
    const gap = 25.5 - (slowest.s + slowest.length / 2);
    expect(gap).toBeGreaterThanOrEqual(0);
    expect(gap).toBeLessThanOrEqual(1.5);
  });
});
