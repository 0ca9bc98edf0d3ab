import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { userError } from './helpers.js';
import { loadScenario } from '../src/scenario/loadScenario.js';
import { loadRig, type LidarConfig } from '../src/sensors/Rig.js';
import { Simulation } from '../src/sim/Simulation.js';

const dir = mkdtempSync(join(tmpdir(), 'roadcast-config-'));
const mapPath = resolve('maps/straight_two_lane.xodr');

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const message = (fn: () => unknown): string => userError(fn).message;

describe('scenario files', () => {
  it('loads the default scenario with its map, rig and actors', () => {
    const scenario = loadScenario('scenarios/straight-road.yaml');
    expect(scenario.name).toBe('straight-road');
    expect(scenario.network.road('1').length).toBe(400);
    expect(scenario.rigFile).toBe(resolve('sensors/default.yaml'));
    expect(scenario.actors.filter((a) => a.ego).map((a) => a.id)).toEqual(['ego']);
  });

  it('moves actors along their lanes at their speeds, in the lane direction', () => {
    const scenario = loadScenario('scenarios/straight-road.yaml');
    const sim = new Simulation(scenario);
    let state = sim.state();
    for (let i = 0; i < 150; i++) state = sim.step();
    expect(state.t_ns).toBe(1_500_000_000);
    const ego = state.actors.find((a) => a.id === 'ego')!;
    const oncoming = state.actors.find((a) => a.id === 'oncoming')!;
    expect(ego.pose.p[0]).toBeCloseTo(30 + 10 * 1.5, 9);
    expect(ego.pose.p[1]).toBeCloseTo(-1.75, 12);
    expect(oncoming.pose.p[0]).toBeCloseTo(200 - 12 * 1.5, 9);
    expect(oncoming.pose.p[1]).toBeCloseTo(1.75, 12);
    expect(oncoming.heading).toBeCloseTo(Math.PI, 12);
    expect(oncoming.velocity[0]).toBeCloseTo(-12, 9);
  });

  it('names the file, line and path of a wrong value', () => {
    const file = write('bad-speed.yaml', `name: x\nmap: ${mapPath}\nactors:\n  - id: ego\n    kind: car\n    ego: true\n    road: "1"\n    lane: -1\n    s: 10\n    speed: fast\n`);
    expect(message(() => loadScenario(file))).toBe(`${file}:10 ($.actors[0].speed): expected a number, got string "fast"`);
  });

  it('rejects unknown keys, unknown kinds, missing lanes and a missing ego', () => {
    const base = (actor: string, extra = ''): string => `name: x\nmap: ${mapPath}\n${extra}actors:\n  - ${actor}\n`;
    expect(message(() => loadScenario(write('a.yaml', base('{ id: e, kind: car, ego: true, road: "1", lane: -1, s: 1, sped: 3 }')))))
      .toMatch(/a\.yaml:4 \(\$\.actors\[0\]\.sped\): unknown key "sped"/);
    expect(message(() => loadScenario(write('b.yaml', base('{ id: e, kind: tank, ego: true, road: "1", lane: -1, s: 1 }')))))
      .toMatch(/b\.yaml:4 \(\$\.actors\[0\]\.kind\): expected one of car, van, truck, bus, cyclist, pedestrian, child, parked_car, cone, barrier, got "tank"/);
    expect(message(() => loadScenario(write('c.yaml', base('{ id: e, kind: car, ego: true, road: "1", lane: -3, s: 1 }')))))
      .toMatch(/c\.yaml:4 \(\$\.actors\[0\]\.lane\): road 1 has no driving lane -3 at s=1 \(lanes: 1, -1\)/);
    expect(message(() => loadScenario(write('d.yaml', base('{ id: e, kind: car, road: "1", lane: -1, s: 1 }')))))
      .toMatch(/d\.yaml:4 \(\$\.actors\): expected exactly one actor with "ego: true", found 0/);
    expect(message(() => loadScenario(write('e.json', `{"name": "x",\n "map": "${mapPath}",\n "actors": [}`))))
      .toMatch(/e\.json:3: not valid YAML\/JSON/);
    expect(message(() => loadScenario(join(dir, 'missing.yaml')))).toBe(`${join(dir, 'missing.yaml')}: no such scenario file`);
  });
});

describe('rig files', () => {
  it('reads the default rig in radians', () => {
    const rig = loadRig('sensors/default.yaml');
    const top = rig.sensors[0] as LidarConfig;
    expect(top.name).toBe('top');
    expect(top.elevations).toHaveLength(32);
    expect(top.elevations[0]).toBeCloseTo((-25 * Math.PI) / 180, 15);
    expect(top.elevations[31]).toBeCloseTo((15 * Math.PI) / 180, 15);
    expect(top.horizontalResolution).toBeCloseTo((0.4 * Math.PI) / 180, 15);
    expect(top.mount.z).toBe(1.9);
  });

  it('names the line and path of a bad sensor parameter', () => {
    const file = write('rig.yaml', 'sensors:\n  - name: top\n    type: lidar\n    rate: 10\n    channels: 0\n    fov: { lower: -10, upper: 10 }\n    horizontal: { resolution: 1 }\n    range: { max: 50 }\n');
    expect(message(() => loadRig(file))).toBe(`${file}:5 ($.sensors[0].channels): expected a number >= 1, got 0`);
    const sonar = write('sonar.yaml', 'sensors:\n  - name: r\n    type: sonar\n');
    expect(message(() => loadRig(sonar))).toBe(`${sonar}:3 ($.sensors[0].type): expected one of lidar, radar, camera, imu, gnss, ground_truth, got "sonar"`);
    const radar = write('radar.yaml', 'sensors:\n  - name: r\n    type: radar\n    preset: long-range\n    fov: { azimuth: 200 }\n');
    expect(message(() => loadRig(radar))).toBe(`${radar}:5 ($.sensors[0].fov.azimuth): expected a number <= 180, got 200`);
  });

  it('reads the range at which a 10 % target is seen: the data sheet\'s for a preset that gives it, the rig\'s, or none', () => {
    const rig = write('rated.yaml', 'sensors:\n  - { name: a, type: lidar, preset: hdl-64e }\n  - { name: b, type: lidar, preset: hdl-64e, range: { at_10_percent: 70 } }\n  - { name: c, type: lidar, preset: vlp-16 }\n');
    const [a, b, c] = loadRig(rig).sensors as LidarConfig[];
    expect([a.rangeAt10Percent, b.rangeAt10Percent, c.rangeAt10Percent]).toEqual([50, 70, undefined]);
    const far = write('far.yaml', 'sensors:\n  - name: a\n    type: lidar\n    preset: hdl-64e\n    range: { at_10_percent: 130 }\n');
    expect(message(() => loadRig(far))).toBe(`${far}:5 ($.sensors[0].range.at_10_percent): expected a number <= 120, got 130`);
    const typo = write('typo.yaml', 'sensors:\n  - name: a\n    type: lidar\n    preset: hdl-64e\n    range: { at_10: 30 }\n');
    expect(message(() => loadRig(typo))).toContain(`${typo}:5 ($.sensors[0].range`);
  });
});

describe('the default scenario', () => {
  it('runs on the bundled town with its storyboard', () => {
    const scenario = loadScenario('scenarios/default.yaml');
    expect(scenario.mapFile).toBe(resolve('maps/town.xodr'));
    expect(scenario.network.junctions).toHaveLength(9);
    expect(scenario.actors.map((a) => a.id)).toEqual(['ego', 'lead', 'oncoming', 'walker']);
  });
});
