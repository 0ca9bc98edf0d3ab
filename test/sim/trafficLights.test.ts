// Traffic lights: fixed-time plans, drivers stopping at red and at an amber they can stop for,
// and red-light infractions, on a straight road with a light, its stop line and its controller.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOpenDrive, readOpenDrive } from '../../src/map/OpenDriveReader.js';
import { buildScenario, type ScenarioDefinition } from '../../src/scenario/definition.js';
import { AMBER_STOP_DECEL } from '../../src/sim/SignalCompliance.js';
import { Simulation } from '../../src/sim/Simulation.js';
import { flashLit, parseSignalState, TrafficSignals } from '../../src/sim/TrafficSignals.js';
import { generateTown } from '../../src/map/TownGenerator.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { signalledRoadFile } from './fixtures.js';

function simOn(file: string, actors: ScenarioDefinition['actors']): Simulation {
  const scenario = buildScenario({ name: 'lights', map: file, actors } as ScenarioDefinition, { file: join(file, '..', 'test.yaml'), network: readOpenDrive(file) });
  return new Simulation(scenario, 1);
}

describe('traffic light plans', () => {
  it('cycle green 20 s, amber 3 s, red (with 2 s all-red and the other approach\'s 25 s) for a lone controller, the pedestrian light green only in green', () => {
    const network = readOpenDrive(signalledRoadFile());
    const signals = new TrafficSignals(network, 1, { offsets: { c1: 0, c2: 0 } });
    // A lone controller's cycle is two slots of 20 + 3 + 2 = 50 s.
    const expected: [number, string, string][] = [[0, 'green', 'green'], [19.9, 'green', 'green'], [20, 'amber', 'red'], [22.9, 'amber', 'red'], [23, 'red', 'red'], [49.9, 'red', 'red'], [50, 'green', 'green'], [120, 'amber', 'red']];
    for (const [t, vehicle, walker] of expected) {
      expect(signals.stateAt('L1', t)).toBe(vehicle);
      expect(signals.stateAt('P1', t)).toBe(walker);
    }
    // Static signals have no state; the stop for L1 is its stop line at 296 on lanes -1..-3.
    expect(signals.stateAt('S1', 0)).toBeUndefined();
    expect(signals.stops.find((s) => s.signalId === 'L1')).toEqual({ signalId: 'L1', roadId: '1', lanes: [-3, -2, -1], s: 296 });
    // Seeded offsets: the same seed gives the same states, another seed (almost surely) others.
    const a = new TrafficSignals(network, 7), b = new TrafficSignals(network, 7), c = new TrafficSignals(network, 8);
    const series = (x: TrafficSignals) => Array.from({ length: 100 }, (_, k) => x.stateAt('L1', k)).join();
    expect(series(a)).toBe(series(b));
    expect(series(a)).not.toBe(series(c));
  });
});

describe('signal states in the world state', () => {
  it('are every controlled signal\'s, one shared table while nothing changes, a new one at a change or a held state', () => {
    const signals = new TrafficSignals(readOpenDrive(signalledRoadFile()), 1, { offsets: { c1: 0, c2: 0 } });
    // As the plan test: L1 and P1 green until 20 s, L1 amber at 20 s; L2's controller alike.
    const first = signals.stateTable(0);
    expect(first).toEqual({ L1: 'green', L2: 'green', P1: 'green' });
    expect(signals.stateTable(19.9)).toBe(first);
    const amber = signals.stateTable(20);
    expect(amber).not.toBe(first);
    expect(amber).toEqual({ L1: 'amber', L2: 'amber', P1: 'red' });
    signals.setState('L1', 'red');
    expect(signals.stateTable(20)).toEqual({ L1: 'red', L2: 'amber', P1: 'red' });
    expect(Object.isFrozen(amber)).toBe(true);
  });
});

describe('drivers at traffic lights', () => {
  it('stop with the front bumper within 1 m before the stop line on red, and go on green', () => {
    const sim = simOn(signalledRoadFile(), [{ id: 'car', kind: 'car', ego: true, road: '1', lane: -1, s: 150, speed: 13.9, controllers: [{ type: 'idm', desiredSpeed: 13.9 }] }]);
    sim.trafficSignals.setState('L1', 'red');
    const car = () => sim.state().actors.find((a) => a.id === 'car')!;
    for (let i = 0; i < 30 / sim.scenario.step; i++) sim.step();
    const stopped = car();
    const front = stopped.s + stopped.box.length / 2;
    expect(stopped.speed).toBeLessThan(0.05);
    expect(296 - front).toBeGreaterThanOrEqual(0);
    expect(296 - front).toBeLessThanOrEqual(1);
    sim.trafficSignals.setState('L1', 'green');
    for (let i = 0; i < 10 / sim.scenario.step; i++) sim.step();
    expect(car().s).toBeGreaterThan(310);
  });

  it('decide an amber light by v²/(2 · 3.0 m/s²): go on at 30 m and 15 m/s (37.5 m needed), stop at 50 m', () => {
    for (const [gap, stops] of [[30, false], [50, true]] as const) {
      const sim = simOn(signalledRoadFile(), [{ id: 'car', kind: 'car', ego: true, road: '1', lane: -1, s: 100, speed: 15, controllers: [{ type: 'idm', desiredSpeed: 15 }] }]);
      const car = () => sim.state().actors.find((a) => a.id === 'car')!;
      sim.trafficSignals.setState('L1', 'green');
      // Drive on green until the front bumper is `gap` m from the line, then amber.
      while (296 - (car().s + car().box.length / 2) > gap) sim.step();
      expect((15 * 15) / (2 * AMBER_STOP_DECEL)).toBe(37.5);
      sim.trafficSignals.setState('L1', 'amber');
      for (let i = 0; i < 20 / sim.scenario.step; i++) sim.step();
      const front = car().s + car().box.length / 2;
      if (stops) expect(front).toBeLessThan(296);
      else expect(front).toBeGreaterThan(296 + 50);
    }
  });

  it('report a red-light infraction at the tick the front bumper crosses the stop line', () => {
    // A driver told to ignore lights keeps 10 m/s through the red light.
    const sim = simOn(signalledRoadFile(), [{ id: 'runner', kind: 'car', ego: true, road: '1', lane: -1, s: 250, speed: 10, controllers: [{ type: 'laneKeeping', respectSignals: false }] }]);
    sim.trafficSignals.setState('L1', 'red');
    const start = sim.state().actors.find((a) => a.id === 'runner')!;
    const half = start.box.length / 2;
    // Front at 250 + half, constant 10 m/s: it reaches 296 at (296 − 250 − half) / 10 s.
    const expectedTick = Math.ceil(((296 - 250 - half) / 10) / sim.scenario.step - 1e-9);
    const found: { tick: number; actor: string; signal: string }[] = [];
    for (let i = 0; i < 8 / sim.scenario.step; i++) {
      for (const e of sim.step().events) if (e.type === 'redLight') found.push({ tick: e.tick, actor: e.actor, signal: e.signal });
    }
    expect(found).toEqual([{ tick: expectedTick, actor: 'runner', signal: 'L1' }]);
  });
});

describe('flashing lights', () => {
  it('are read as words or lamp by lamp (steady lamps decide, then a flashing red or amber), and flash 60 times a minute, lit half the time', () => {
    const rag = ['red', 'amber', 'green'] as const;
    const cases: [string, string | undefined][] = [
      ['flashing_red', 'flashing_red'], ['Flashing Yellow', 'flashing_amber'], ['flashing amber', 'flashing_amber'],
      ['off;flashing;off', 'flashing_amber'], ['flashing;off;off', 'flashing_red'], ['on;flashing;off', 'red'],
      ['off;off;flashing', 'green'], ['off;off;off', 'off'], ['blinking;off;off', undefined],
    ];
    for (const [text, state] of cases) expect(parseSignalState(text, rag), text).toBe(state);
    // MUTCD §4D.30: 50–60 flashes a minute, lit 1/2 to 2/3 of each: 1 Hz, the first half second lit.
    const lit = Array.from({ length: 40 }, (_, k) => flashLit(k * 50_000_000));
    expect(lit.filter(Boolean)).toHaveLength(20);
    expect([0, 0.45, 0.5, 0.95, 1.0, 1.49, 1.5].map((t) => flashLit(t * 1e9))).toEqual([true, true, false, false, true, true, false]);
  });

  it('flashing red: a full stop at the line, then on; flashing amber: through without stopping', () => {
    for (const [state, stops] of [['flashing_red', true], ['flashing_amber', false]] as const) {
      const sim = simOn(signalledRoadFile(), [{ id: 'car', kind: 'car', ego: true, road: '1', lane: -1, s: 200, speed: 13.9, controllers: [{ type: 'idm', desiredSpeed: 13.9 }] }]);
      sim.trafficSignals.setState('L1', state);
      const track: { s: number; speed: number }[] = [];
      for (let i = 0; i < 20 / sim.scenario.step; i++) {
        const car = sim.step().actors.find((a) => a.id === 'car')!;
        track.push({ s: car.s + car.box.length / 2, speed: car.speed });
      }
      const before = track.filter((p) => p.s < 296);
      const slowest = before.reduce((a, b) => (b.speed < a.speed ? b : a));
      if (stops) {
        // Stopped (under 0.1 m/s, what counts as stopped at a stop sign) within 1 m before the line.
        expect(slowest.speed).toBeLessThan(0.1);
        expect(296 - slowest.s).toBeGreaterThanOrEqual(0);
        expect(296 - slowest.s).toBeLessThanOrEqual(1);
      } else expect(slowest.speed).toBeGreaterThan(13);
      // Either way it goes on past the light, and crossing on a flashing light is no red-light infraction.
      expect(track[track.length - 1].s).toBeGreaterThan(320);
    }
  });

  it('at a junction at night (east-west flashing amber, north-south flashing red), the minor driver stops, then waits for the priority car to clear it', () => {
    // The one-junction town: road 1 from the west (priority), road 3 from the south, whose light 312 and stop line stand at s = 25.5.
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-flash-'));
    const file = join(dir, 'town.xodr');
    const text = generateTown({ columns: 1, rows: 1, block: 80, seed: 1 });
    writeFileSync(file, text);
    const network = parseOpenDrive(text, file);
    const sim = new Simulation(buildScenario({ name: 'night', map: file, buildings: 0, actors: [
      { id: 'minor', kind: 'car', ego: true, road: '3', lane: -1, s: 2, speed: 8, controllers: [{ type: 'idm', desiredSpeed: 8 }] },
      { id: 'major', kind: 'car', road: '1', lane: -1, s: 0, speed: 10, controllers: [{ type: 'idm', desiredSpeed: 10 }] },
    ] } as ScenarioDefinition, { file: join(dir, 'x.yaml'), network }), 1);
    // Roads 3 and 4 are the north-south arms, 1 and 2 the east-west ones.
    for (const light of network.signals().filter((x) => x.kind === 'traffic_light')) {
      sim.trafficSignals.setState(light.id, light.roadId === '3' || light.roadId === '4' ? 'flashing_red' : 'flashing_amber');
    }
    const track: { t: number; id: string; road: string; s: number; speed: number; length: number }[] = [];
    for (let i = 0; i < 15 / sim.scenario.step; i++) {
      for (const a of sim.step().actors) track.push({ t: sim.time, id: a.id, road: a.road, s: a.s, speed: a.speed, length: a.box.length });
    }
    const major = track.filter((p) => p.id === 'major'), minor = track.filter((p) => p.id === 'minor');
    // The priority car does not stop for its flashing amber (it slows a little only for its turn).
    expect(Math.min(...major.filter((p) => p.road === '1').map((p) => p.speed))).toBeGreaterThan(5);
    const majorLeft = major.find((p) => p.road !== '1' && network.road(p.road).junction === '-1')!.t;
    const approach = minor.filter((p) => p.road === '3');
    expect(Math.min(...approach.map((p) => p.speed))).toBeLessThan(0.1);
    expect(minor.find((p) => p.road !== '3')!.t).toBeGreaterThan(majorLeft);
  });
});

describe('protected left turns', () => {
  // The one-junction town with arrow lights: on each arm a straight-and-right head (1000011.50)
  // on the kerb and a left-arrow head (1000011.10) beside it; per axis a left controller whose
  // phase comes before its through one: east-west left, east-west, north-south left, north-south.
  const dir = mkdtempSync(join(tmpdir(), 'roadcast-lefts-'));
  const file = join(dir, 'town.xodr');
  const text = generateTown({ columns: 1, rows: 1, block: 80, seed: 1, leftTurns: 'protected' });
  writeFileSync(file, text);
  const network = parseOpenDrive(text, file);

  it('are read from the map: arrow heads with their movements, four controllers in sequence', () => {
    const lights = network.signals().filter((x) => x.kind === 'traffic_light');
    expect(lights.filter((x) => x.type === '1000011' && x.subtype === '50').map((x) => x.turns)).toEqual(Array(4).fill(['straight', 'right']));
    expect(lights.filter((x) => x.type === '1000011' && x.subtype === '10').map((x) => x.turns)).toEqual(Array(4).fill(['left']));
    const junction = network.junctions[0];
    const order = [...junction.controllers!].sort((a, b) => a.sequence! - b.sequence!).map((c) => network.controllers.find((x) => x.id === c.id)!.name);
    expect(order).toEqual(['junction 0,0 east-west left', 'junction 0,0 east-west', 'junction 0,0 north-south left', 'junction 0,0 north-south']);
    // The permissive town (the default) is as before: round lights, two controllers.
    const plain = parseOpenDrive(generateTown({ columns: 1, rows: 1, block: 80, seed: 1 }), file);
    expect(plain.signals().filter((x) => x.kind === 'traffic_light').every((x) => x.type === '1000001' && x.turns === undefined)).toBe(true);
    expect(plain.junctions[0].controllers).toHaveLength(2);
  });

  it('hold a left turner at its red arrow while through traffic of its approach goes on green, and let it turn on its arrow\'s green', () => {
    // Offset 75 s of the 100 s cycle (four 25 s slots): north-south through is green from t = 0 to 20 s,
    // north-south left from 75 to 95 s. Road 3 comes from the south, its stop line at s = 25.5.
    const runFrom = (actor: ScenarioDefinition['actors'][number], seconds: number) => {
      const sim = new Simulation(buildScenario({ name: 'lefts', map: file, buildings: 0, signals: { offsets: { '1000': 75 } }, actors: [actor] } as ScenarioDefinition, { file: join(dir, 'x.yaml'), network }), 1);
      const track: { t: number; road: string; s: number; speed: number; front: number }[] = [];
      const events: string[] = [];
      for (let i = 0; i < seconds / sim.scenario.step; i++) {
        const state = sim.step();
        const a = state.actors[0];
        track.push({ t: sim.time, road: a.road, s: a.s, speed: a.speed, front: a.s + a.box.length / 2 });
        events.push(...state.events.map((e) => e.type));
      }
      return { sim, track, events };
    };
    const through = runFrom({ id: 'through', kind: 'car', ego: true, road: '3', lane: -1, s: 2, speed: 8, controllers: [{ type: 'idm', desiredSpeed: 8 }] }, 8);
    expect(through.sim.trafficSignals.stateAt('312', 1)).toBe('green');
    expect(through.sim.trafficSignals.stateAt('322', 1)).toBe('red');
    expect(Math.min(...through.track.filter((p) => p.road === '3').map((p) => p.speed))).toBeGreaterThan(5);
    expect(through.track.at(-1)!.road).not.toBe('3');
    // Its lane's left arrow was red as it crossed the line: not its light, no infraction.
    expect(through.events).not.toContain('redLight');

    const left = runFrom({ id: 'left', kind: 'car', ego: true, road: '3', lane: -1, s: 2, speed: 8, controllers: [{ type: 'route', waypoints: [{ road: '1', lane: 1, s: 10 }] }, { type: 'idm', desiredSpeed: 8 }] }, 85);
    const onApproach = left.track.filter((p) => p.road === '3');
    const slowest = onApproach.reduce((a, b) => (b.speed < a.speed ? b : a));
    expect(slowest.speed).toBeLessThan(0.05);
    expect(25.5 - slowest.front).toBeGreaterThanOrEqual(0);
    expect(25.5 - slowest.front).toBeLessThanOrEqual(1);
    // It enters the junction once its arrow turns green at 75 s (IDM starts within seconds), and turns onto road 1.
    const entered = left.track.find((p) => p.road !== '3')!.t;
    expect(entered).toBeGreaterThan(75);
    expect(entered).toBeLessThan(80);
    expect(left.track.at(-1)!.road).toBe('1');
    expect(left.events).not.toContain('redLight');
  });
});

describe('traffic lights of the bundled town', () => {
  it('hold a car at the stop line on red (front within 1 m before it) and let it go on green', () => {
    // Street 2 runs from junction 0,0 to junction 1,0; lane -1 drives +s toward the latter,
    // whose light 212 and stop line stand 4.5 m before the road's end (TownGenerator).
    const network = readOpenDrive('maps/town.xodr');
    const length = network.road('2').length;
    const line = length - 4.5;
    const scenario = buildScenario({ name: 'town', map: 'maps/town.xodr', actors: [{ id: 'car', kind: 'car', ego: true, road: '2', lane: -1, s: 5, speed: 10, controllers: [{ type: 'idm', desiredSpeed: 10 }] }] } as ScenarioDefinition, { file: 'town.yaml', network });
    const sim = new Simulation(scenario, 1);
    let waited: { time: number; gap: number } | undefined;
    let movedOffAfterGreen: number | undefined;
    for (let i = 0; i < 120 / scenario.step && movedOffAfterGreen === undefined; i++) {
      const state = sim.step();
      const car = state.actors.find((a) => a.id === 'car')!;
      const light = sim.trafficSignals.stateAt('212', sim.time);
      if (!waited && car.road === '2' && car.speed < 0.05) {
        expect(light).toBe('red');
        waited = { time: sim.time, gap: line - (car.s + car.box.length / 2) };
      }
      if (waited && light === 'green' && car.speed > 1) movedOffAfterGreen = sim.time;
    }
    expect(waited).toBeDefined();
    expect(waited!.gap).toBeGreaterThanOrEqual(0);
    expect(waited!.gap).toBeLessThanOrEqual(1);
    // It waited through red and left once the light turned green (IDM starts within seconds).
    const greenAt = (() => { let t = waited!.time; while (sim.trafficSignals.stateAt('212', t) !== 'green') t += 0.01; return t; })();
    expect(movedOffAfterGreen! - greenAt).toBeGreaterThan(0);
    expect(movedOffAfterGreen! - greenAt).toBeLessThan(4);
  });
});
