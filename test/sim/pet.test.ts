// Post-encroachment time at conflict areas (sim/ConflictAreas.ts, PetTracker.ts) against the
// analytic passage of a pedestrian over a crosswalk ahead of a car, on the one-junction town.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOpenDrive } from '../../src/map/OpenDriveReader.js';
import { generateTown } from '../../src/map/TownGenerator.js';
import { buildScenario, type ScenarioDefinition } from '../../src/scenario/definition.js';
import { CELL, conflictAreas } from '../../src/sim/ConflictAreas.js';
import { Simulation } from '../../src/sim/Simulation.js';
import { MetricsTopic } from '../../src/sensors/MetricsTopic.js';
import { fieldArray } from '../../src/core/frame.js';

// Road 3 comes from the south along x = 0, heading north from y = -40 to the junction at
// y = -10; its lane -1 spans x 0 to 3.5 m (east of the centre line) and the crosswalk before
// the junction spans s 26.5 to 29.5 m (y -13.5 to -10.5) over both lanes.
const dir = mkdtempSync(join(tmpdir(), 'roadcast-pet-'));
const file = join(dir, 'town.xodr');
const text = generateTown({ columns: 1, rows: 1, block: 80, seed: 1 });
writeFileSync(file, text);
const network = parseOpenDrive(text, file);

describe('post-encroachment time', () => {
  it('finds the conflict areas: each crosswalk with each lane it crosses, and crossing or merging junction lanes', () => {
    const areas = conflictAreas(network);
    const crosswalk = areas.find((a) => a.id.startsWith('crosswalk') && a.id.endsWith('× 3:-1') && a.bounds[1] > -14 && a.bounds[3] < -10)!;
    expect(crosswalk).toBeDefined();
    // Cell centres (odd tenths: 0.2 m cells) inside x 0..3.5, y -13.5..-10.5: x 0.1 to 3.3, y -13.3 to -10.7
    // (the rows at -13.5 and -10.5 lie on the crosswalk's edges: in or out as the floats fall).
    expect(CELL).toBe(0.2);
    const [x0, y0, x1, y1] = crosswalk.bounds;
    expect([x0, x1].map((v) => +v.toFixed(6))).toEqual([0.1, 3.3]);
    expect(y0).toBeGreaterThanOrEqual(-13.5 - 1e-9);
    expect(y0).toBeLessThanOrEqual(-13.3 + 1e-9);
    expect(y1).toBeGreaterThanOrEqual(-10.7 - 1e-9);
    expect(y1).toBeLessThanOrEqual(-10.5 + 1e-9);
    expect(crosswalk.cells.length / 2).toBe(17 * (Math.round((y1 - y0) / 0.2) + 1));
    // Four arms, each with a left, a straight and a right lane into the junction: 12 lanes; lanes
    // from one arm do not conflict (they only share their start), and many others cross or merge.
    const junction = areas.filter((a) => a.kind === 'junction');
    expect(junction.length).toBeGreaterThan(20);
    expect(junction.every((a) => !/× (\d+):/.exec(a.id) || a.id.split(' × ').length === 2)).toBe(true);
  });

  it('is the time from the pedestrian leaving the car\'s lane on the crosswalk to the car entering it', () => {
    const sim = new Simulation(buildScenario({
      name: 'pet', map: file, buildings: 0, duration: 8,
      actors: [
        { id: 'car', kind: 'car', ego: true, road: '3', lane: -1, s: 2, speed: 5 },
        // On the east sidewalk (lane -2, centre x = 4.5) at the crosswalk's middle, crossing west at 1.4 m/s.
        { id: 'walker', kind: 'pedestrian', road: '3', lane: -2, s: 28, controllers: [{ type: 'pedestrian', mode: 'cross', speed: 1.4 }] },
      ],
      objectives: { pet: 'min(pet, walker)' },
    } as ScenarioDefinition, { file: join(dir, 'x.yaml'), network }), 1);
    const start = sim.state();
    const car = start.actors.find((a) => a.id === 'car')!, walker = start.actors.find((a) => a.id === 'walker')!;
    const topic = new MetricsTopic(sim.criticality);
    const published: { others: string[]; areas: string[]; pet: number[] }[] = [];
    for (let i = 0; i < 8 / sim.scenario.step; i++) {
      const state = sim.step();
      const frame = topic.advance(state.t_ns);
      if (frame?.data.pet) published.push({ others: frame.fields.pet_others as string[], areas: frame.fields.pet_areas as string[], pet: [...fieldArray(frame.data.pet)] });
    }
    // By hand: the walker's rear (its centre plus half its length, walking -x at 1.4 m/s) passes the
    // lane's westmost cell centre x = 0.1; the car's front (centre plus its centre offset and half
    // its length, +y at 5 m/s) reaches the area's first row of cell centres. Each is seen at the
    // first tick after (0.01 s).
    const area = conflictAreas(network).find((a) => a.id.startsWith('crosswalk') && a.id.endsWith('× 3:-1') && a.bounds[1] > -14 && a.bounds[3] < -10)!;
    // (The box's centre lies its centre offset ahead of the pose along the heading, -x for the walker.)
    const leave = (walker.pose.p[0] - (walker.box.center?.[0] ?? 0) + walker.box.length / 2 - 0.1) / 1.4;
    const enter = (area.bounds[1] - (car.pose.p[1] + (car.box.center?.[0] ?? 0) + car.box.length / 2)) / 5;
    const pets = sim.criticality.petLog.filter((p) => p.id === 'walker' && p.area.endsWith('× 3:-1'));
    expect(pets).toHaveLength(1);
    expect(pets[0].pet).toBeGreaterThan(0.5);
    expect(Math.abs(pets[0].pet - (enter - leave))).toBeLessThanOrEqual(0.011);
    const summary = sim.criticality.result([]);
    expect(summary.min_pet).toBe(pets[0].pet);
    expect(summary.objectives!.pet).toBe(pets[0].pet);
    // The metrics topic carries each PET once, in the first frame after it was measured.
    expect(published.flatMap((f) => f.pet)).toEqual(sim.criticality.petLog.map((p) => p.pet));
    expect(published.flatMap((f) => f.others)).toEqual(sim.criticality.petLog.map((p) => p.id));
  });
});
