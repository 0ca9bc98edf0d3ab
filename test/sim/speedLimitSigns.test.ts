// Speed-limit signs (StVO 274) set a lane's limit from where traffic passes them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOpenDrive } from '../../src/map/OpenDriveReader.js';
import { buildScenario, type ScenarioDefinition } from '../../src/scenario/definition.js';
import { Simulation } from '../../src/sim/Simulation.js';
import { SpeedLimits } from '../../src/sim/SpeedLimits.js';
import { straightRoadXodr } from './fixtures.js';

// On the fixture road (100 km/h; lane 1 against s, lanes -1..-3 with s): 30 km/h from s = 200 for
// the lanes driven along s (orientation "+"), 70 km/h from s = 400 on lane -1 only (validity),
// and 50 km/h for lane 1 from s = 300 in its own direction (orientation "-").
const SIGNS = `<signals>
  <signal s="200" t="-12" id="a" orientation="+" type="274" country="DE" subtype="-1" value="30" unit="km/h" zOffset="2" height="0.6" width="0.6"/>
  <signal s="400" t="-12" id="b" orientation="+" type="274" country="DE" subtype="-1" value="70" unit="km/h"><validity fromLane="-1" toLane="-1"/></signal>
  <signal s="300" t="5" id="c" orientation="-" type="274" country="OpenDRIVE" subtype="-1" value="50"/>
</signals>`;

function signedMap(): { file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'roadcast-signs-'));
  const file = join(dir, 'signs.xodr');
  writeFileSync(file, straightRoadXodr(1000).replace('</lanes>', `</lanes>\n${SIGNS}`));
  return { file };
}

describe('speed-limit signs', () => {
  it('give each lane the limit of the last sign its traffic passed, else the road\'s 100 km/h', () => {
    const { file } = signedMap();
    const limits = SpeedLimits.read(file).withSigns(readOpenDrive(file));
    const kmh = (lane: number, s: number) => limits.limit('1', 0, lane, s)! * 3.6;
    expect(kmh(-1, 150)).toBeCloseTo(100, 9);
    expect(kmh(-1, 250)).toBeCloseTo(30, 9);
    expect(kmh(-3, 250)).toBeCloseTo(30, 9);
    expect(kmh(-1, 450)).toBeCloseTo(70, 9);
    expect(kmh(-2, 450)).toBeCloseTo(30, 9);
    // Lane 1 is driven toward −s: it has passed the 50 sign at s < 300.
    expect(kmh(1, 350)).toBeCloseTo(100, 9);
    expect(kmh(1, 250)).toBeCloseTo(50, 9);
  });

  it('slow an IDM car to 30 km/h after it passes the sign', () => {
    const { file } = signedMap();
    const scenario = buildScenario({
      name: 'signs', map: file,
      actors: [{ id: 'ego', kind: 'car', ego: true, road: '1', lane: -2, s: 10, speed: 20, controllers: [{ type: 'idm', desiredSpeed: 25 }] }],
    } as ScenarioDefinition, { file: join(file, '..', 'test.yaml'), network: readOpenDrive(file) });
    const sim = new Simulation(scenario);
    let before = 0, passedAt = -1, after = Infinity;
    for (let i = 0; i < 40 / scenario.step; i++) {
      const ego = sim.step().actors.find((a) => a.id === 'ego')!;
      if (ego.s < 200) before = Math.max(before, ego.speed);
      else if (passedAt < 0) passedAt = sim.time;
      else if (sim.time > passedAt + 15) after = Math.max(after === Infinity ? 0 : after, Math.abs(ego.speed - 30 / 3.6));
    }
    expect(before).toBeGreaterThan(20);
    expect(passedAt).toBeGreaterThan(0);
    // From 15 s after the sign on, it drives at the limit.
    expect(after).toBeLessThan(0.1);
  });
});
