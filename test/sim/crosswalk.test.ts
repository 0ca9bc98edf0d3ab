import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOpenDrive } from '../../src/map/OpenDriveReader.js';
import { buildScenario, type ScenarioDefinition } from '../../src/scenario/definition.js';
import { Simulation } from '../../src/sim/Simulation.js';

describe('pedestrians at crosswalks', () => {
  it('walks along the sidewalk to the nearest crosswalk, then crosses there to the far kerb', () => {
    const file = resolve('maps/town.xodr');
    const network = readOpenDrive(file);
    const road = network.road('6');
    // The generator puts a 3 m crosswalk 2 m from each end of every street between junctions.
    const start = 20;
    const def = {
      name: 'crosswalk', map: file, buildings: 0, duration: 30,
      actors: [
        { id: 'ego', kind: 'car', ego: true, road: '6', lane: -1, s: 40, speed: 0 },
        { id: 'walker', kind: 'pedestrian', road: '6', lane: -2, s: start, controllers: [{ type: 'pedestrian', mode: 'crosswalk', speed: 1.4 }] },
      ],
    } as ScenarioDefinition;
    const sim = new Simulation(buildScenario(def, { file: resolve('test.yaml'), network }));
    // The crosswalk's walk lights (613 and 614, TownGenerator) held green: this test is about the path.
    sim.trafficSignals.setState('613', 'green');
    sim.trafficSignals.setState('614', 'green');
    // Sidewalk centre t = -(3.5 + 1); the far kerb is the left sidewalk's inner edge, t = 3.5,
    // and the plan goes 0.5 m past it: 18 m along, then 8.5 m across, at 1.4 m/s.
    const along = start - 2;
    const across = 3.5 + 4.5 + 0.5;
    const arrival = (along + across) / 1.4;
    let state = sim.state();
    const track: { t: number; s: number; tt: number }[] = [];
    while (state.t_ns < (arrival + 2) * 1e9) {
      state = sim.step();
      const w = state.actors.find((a) => a.id === 'walker')!;
      track.push({ t: state.t_ns / 1e9, s: w.s, tt: w.t });
    }
    const at = (time: number) => track.find((p) => p.t >= time - 1e-9)!;
    // Halfway along the sidewalk: still on it, 9 m nearer the crosswalk.
    expect(at(along / 2 / 1.4).s).toBeCloseTo(start - along / 2, 1);
    expect(at(along / 2 / 1.4).tt).toBeCloseTo(-4.5, 2);
    // After arriving: at the crosswalk's s, on the far side, and standing.
    const end = track[track.length - 1];
    expect(end.s).toBeCloseTo(2, 1);
    expect(end.tt).toBeCloseTo(-4.5 + across, 1);
    expect(at(arrival - 0.5).tt).toBeLessThan(end.tt);
    expect(at(arrival + 0.1).tt).toBeCloseTo(end.tt, 2);
    expect(road.length).toBeGreaterThan(start);
  });

  it('waits at the kerb while the crosswalk\'s walk lights are red, and crosses once they turn green', () => {
    const file = resolve('maps/town.xodr');
    const network = readOpenDrive(file);
    const def = {
      name: 'walk light', map: file, buildings: 0, duration: 40,
      actors: [
        { id: 'ego', kind: 'car', ego: true, road: '6', lane: -1, s: 40, speed: 0 },
        { id: 'walker', kind: 'pedestrian', road: '6', lane: -2, s: 10, controllers: [{ type: 'pedestrian', mode: 'crosswalk', speed: 1.4 }] },
      ],
    } as ScenarioDefinition;
    const sim = new Simulation(buildScenario(def, { file: resolve('test.yaml'), network }));
    sim.trafficSignals.setState('613', 'red');
    sim.trafficSignals.setState('614', 'red');
    const walker = () => sim.state().actors.find((a) => a.id === 'walker')!;
    // 8 m along the sidewalk take 5.7 s; then it stands at the kerb (t = -4.5) for as long as the lights are red.
    for (let i = 0; i < 20 / sim.scenario.step; i++) sim.step();
    expect(walker().s).toBeCloseTo(2, 1);
    expect(walker().t).toBeCloseTo(-4.5, 2);
    expect(walker().speed).toBeLessThan(1e-9);
    sim.trafficSignals.setState('613', 'green');
    sim.trafficSignals.setState('614', 'green');
    // 8.5 m across at 1.4 m/s: over after 6.1 s.
    for (let i = 0; i < 7 / sim.scenario.step; i++) sim.step();
    expect(walker().t).toBeGreaterThan(3.5);
  });
});
