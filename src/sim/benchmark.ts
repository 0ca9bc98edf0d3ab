import { parseOpenDrive } from '../map/OpenDriveReader.js';
import type { ActorSpec, Scenario } from '../scenario/Scenario.js';
import { Simulation } from './Simulation.js';

/** A straight 4-lane-per-direction highway, `length` m, as OpenDRIVE text. */
export function benchmarkRoad(length: number): string {
  const lane = (id: number): string => `<lane id="${id}" type="driving" level="false"><link/><width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane>`;
  return `<?xml version="1.0"?><OpenDRIVE><header revMajor="1" revMinor="6"/>
<road name="bench" length="${length}" id="1" junction="-1"><link/>
<planView><geometry s="0" x="0" y="0" hdg="0" length="${length}"><arc curvature="0.0002"/></geometry></planView>
<lanes><laneSection s="0"><left>${[4, 3, 2, 1].map(lane).join('')}</left><center><lane id="0" type="none" level="false"/></center><right>${[-1, -2, -3, -4].map(lane).join('')}</right></laneSection></lanes>
</road></OpenDRIVE>`;
}

/**
 * N vehicles on one highway, every one with IDM car following and MOBIL lane changes, in
 * both directions: the traffic load of a busy scenario, with no sensors.
 */
export function benchmarkScenario(actors: number, options: { idm?: boolean; mobil?: boolean } = {}): Scenario {
  const perLane = Math.ceil(actors / 8);
  const length = Math.max(2000, perLane * 40 + 1500);
  const network = parseOpenDrive(benchmarkRoad(length), '<bench>');
  const kinds = ['car', 'car', 'van', 'truck', 'car', 'bus'] as const;
  const specs: ActorSpec[] = [];
  for (let i = 0; i < actors; i++) {
    const lanes = [-1, -2, -3, -4, 1, 2, 3, 4];
    const lane = lanes[i % 8];
    const k = Math.floor(i / 8);
    const s = lane < 0 ? 20 + k * 40 : length - 20 - k * 40;
    const controllers: ActorSpec['controllers'] = [];
    if (options.idm !== false) controllers.push({ type: 'idm' });
    if (options.mobil !== false) controllers.push({ type: 'mobil' });
    specs.push({
      id: `v${i}`, kind: kinds[i % kinds.length], ego: i === 0, position: { type: 'lane', road: '1', lane, s },
      speed: 18 + (i % 7), controllers,
    });
  }
  return {
    name: `bench-${actors}`, file: '<bench>', mapFile: '', network, duration: 60, step: 0.01, seed: 1, buildings: 0, furniture: true,
    actors: specs, storyboard: { acts: [] }, parameters: [], parameterValues: {}, warnings: [],
  };
}

export interface SimBenchResult {
  actors: number;
  ticks: number;
  seconds: number;
  ticksPerSecond: number;
}

/** Steps the benchmark scenario and measures ticks per wall-clock second (after a warm-up). */
export function benchSimulation(actors: number, ticks = 1000, warmup = 200): SimBenchResult {
  const sim = new Simulation(benchmarkScenario(actors));
  for (let i = 0; i < warmup; i++) sim.step();
  const start = process.hrtime.bigint();
  for (let i = 0; i < ticks; i++) sim.step();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { actors, ticks, seconds, ticksPerSecond: ticks / seconds };
}
