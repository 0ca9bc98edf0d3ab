/**
 * `weather:` in a scenario and EnvironmentAction in OpenSCENARIO map onto one Weather; a
 * clear scenario carries nothing new, down to the recording's metadata and the LiDAR's frames.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { classId } from '../../src/core/semantic.js';
import { encodeFrame } from '../../src/io/codec.js';
import { recordingOptions, type RunInputs } from '../../src/run/RunInputs.js';
import { inspectRecording, readFrames } from '../../src/io/McapSource.js';
import { runVariant } from '../../src/run/Sweep.js';
import { scenario } from '../../src/scenario/builders.js';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { loadRig } from '../../src/sensors/Rig.js';
import { mountSensors } from '../../src/sensors/Rigging.js';
import { Simulation } from '../../src/sim/Simulation.js';
import { World } from '../../src/world/World.js';
import { userError } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'roadcast-weather-'));
const map = resolve('maps/straight_two_lane.xodr');
const scenarioWith = (name: string, weather: string[]): string => {
  const file = join(dir, name);
  writeFileSync(file, [`name: ${name}`, `map: ${map}`, 'duration: 0.2', ...weather, 'actors:', '  - { id: ego, kind: car, ego: true, road: "1", lane: -1, s: 30 }', ''].join('\n'));
  return file;
};

describe('weather in a scenario', () => {
  it('reads every part into the model', () => {
    const file = scenarioWith('all.yaml', ['weather:', '  fog: { visibility: 80 }', '  rain: { rate: 4 }', '  snow: { rate: 0.5 }', '  wet_road: 0.7', '  sun: { azimuth: 135, elevation: 20 }']);
    expect(loadScenario(file).weather).toEqual({ fog: { visibility: 80 }, rain: { rate: 4 }, snow: { rate: 0.5 }, wetRoad: 0.7, sun: { azimuth: 135, elevation: 20 } });
  });

  it('refuses bad values in one line naming the file, the line and the path', () => {
    const cases: [string[], string][] = [
      [['weather:', '  fog: { visibility: 0 }'], ':5 ($.weather.fog.visibility)'],
      [['weather:', '  fog: { visibility: -3 }'], ':5 ($.weather.fog.visibility)'],
      [['weather:', '  rain: { rate: -1 }'], ':5 ($.weather.rain.rate)'],
      [['weather:', '  wet_road: 1.5'], ':5 ($.weather.wet_road)'],
      [['weather:', '  sun: { azimuth: 0, elevation: 120 }'], ':5 ($.weather.sun.elevation)'],
      [['weather:', '  hail: { rate: 1 }'], ':5 ($.weather'],
    ];
    for (const [lines, where] of cases) {
      const file = scenarioWith('bad.yaml', lines);
      const error = userError(() => loadScenario(file));
      expect(error.message.split('\n')).toHaveLength(1);
      expect(error.message).toContain(`${file}${where}`);
    }
  });

  it('is clear when absent or empty: the scenario, the states and the LiDAR frames of a run are what they were', () => {
    const none = loadScenario(scenarioWith('none.yaml', []));
    const empty = loadScenario(scenarioWith('empty.yaml', ['weather: {}']));
    expect(empty.weather).toBeUndefined();
    expect('weather' in empty).toBe(false);
    const rigFile = join(dir, 'rig.yaml');
    writeFileSync(rigFile, 'sensors:\n  - { name: top, type: lidar, preset: vlp-16, motion_distortion: false, noise: { range_std: 0.02 }, dropout: { probability: 0.05 } }\n');
    const rig = loadRig(rigFile);
    // A road and a wall across it: every sweep has returns.
    const mesh = new MeshBuilder();
    mesh.quad([-200, -50, 0], [200, -50, 0], [200, 50, 0], [-200, 50, 0], classId('road'));
    mesh.box([60, 0, 5], [2, 40, 10], 0, classId('building'));
    const run = (s: typeof none): Buffer[] => {
      const sim = new Simulation(s);
      const world = World.fromMesh(mesh);
      const sensors = mountSensors(rig, s.actors, s.seed).filter((m) => m.topic.startsWith('lidar/'));
      const out: Buffer[] = [];
      let from = sim.state();
      for (let i = 0; i < 12; i++) {
        const to = sim.step();
        expect('weather' in to).toBe(false);
        for (const m of sensors) {
          const frame = m.advance({ world, from, to, middle: () => from });
          if (frame) out.push(Buffer.from(encodeFrame(frame)));
        }
        from = to;
      }
      return out;
    };
    const a = run(none), b = run(empty);
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });

  it('carries a fog onto every state, and the LiDAR frames name it', () => {
    const s = loadScenario(scenarioWith('fog.yaml', ['weather: { fog: { visibility: 50 } }']));
    const sim = new Simulation(s);
    expect(sim.step().weather).toEqual({ fog: { visibility: 50 } });
  });

  it('is in the recording\'s metadata when set, and absent from it when clear', () => {
    const rigFile = join(dir, 'meta-rig.yaml');
    writeFileSync(rigFile, 'sensors:\n  - { name: top, type: lidar, preset: vlp-16 }\n');
    const metadata = (file: string) => {
      const inputs = { scenarioFile: file, scenario: loadScenario(file), rigFile, rigFromScenario: false, seed: 1, duration: 0.2 } as unknown as RunInputs;
      return recordingOptions(inputs).metadata;
    };
    expect(metadata(scenarioWith('m-fog.yaml', ['weather: { fog: { visibility: 50 }, wet_road: 1 }'])).weather).toBe('{"fog":{"visibility":50},"wetRoad":1}');
    expect('weather' in metadata(scenarioWith('m-empty.yaml', ['weather: {}']))).toBe(false);
  });

  it('changes mid-run by a storyboard weather action (snake_case as in weather:), and clears with {}', () => {
    const file = scenarioWith('change.yaml', ['weather: { fog: { visibility: 200 } }', 'storyboard:', '  events:',
      '    - { trigger: { type: simulationTime, value: 0.05, rule: greaterOrEqual }, actions: [{ type: weather, weather: { fog: { visibility: 40 }, wet_road: 0.5 } }] }',
      '    - { trigger: { type: simulationTime, value: 0.1, rule: greaterOrEqual }, actions: [{ type: weather, weather: {} }] }']);
    const sim = new Simulation(loadScenario(file));
    const states = [sim.state()];
    for (let i = 0; i < 15; i++) states.push(sim.step());
    expect(states[0].weather).toEqual({ fog: { visibility: 200 } });
    const changed = states.findIndex((s) => s.weather?.fog?.visibility === 40);
    expect(states[changed].t_ns).toBeGreaterThanOrEqual(0.05e9);
    expect(states[changed].weather).toEqual({ fog: { visibility: 40 }, wetRoad: 0.5 });
    expect('weather' in states[15]).toBe(false);
    expect(userError(() => loadScenario(scenarioWith('badaction.yaml', ['storyboard:', '  events:', '    - { actions: [{ type: weather, weather: { fog: { visibility: 0 } } }] }']))).message).toContain('($.storyboard.events[0].actions[0]');
  });

  it('records the weather changes of a run in the recording\'s metadata, after the initial weather', async () => {
    const file = scenarioWith('timeline.yaml', ['weather: { fog: { visibility: 200 } }', 'storyboard:', '  events:',
      '    - { trigger: { type: simulationTime, value: 0.05, rule: greaterOrEqual }, actions: [{ type: weather, weather: { rain: { rate: 10 } } }] }',
      '    - { trigger: { type: simulationTime, value: 0.15, rule: greaterOrEqual }, actions: [{ type: weather, weather: {} }] }']);
    const rig = join(dir, 'gt.yaml');
    writeFileSync(rig, 'sensors:\n  - { name: gt, type: ground_truth, rate: 10 }\n');
    const out = join(dir, 'timeline.mcap');
    await runVariant({ id: 't', file, params: {}, rig, duration: 0.3, out }, 1);
    const { metadata } = await inspectRecording(out);
    // The ground truth (10 Hz: at 0, 0.1 and 0.2 s) names the weather in force at each of its frames.
    const gt: (string | undefined)[] = [];
    for await (const frame of readFrames(out)) if (frame.kind === 'ground_truth') gt.push(frame.fields.weather as string | undefined);
    expect(gt).toEqual(['{"fog":{"visibility":200}}', '{"rain":{"rate":10}}', undefined]);
    expect(metadata.weather).toBe('{"fog":{"visibility":200}}');
    const changes = JSON.parse(metadata.weather_changes) as { t_ns: number; weather: unknown }[];
    // Each change takes effect at the first step at or after its trigger time (steps of at most 20 ms).
    expect(changes.map((c) => c.weather)).toEqual([{ rain: { rate: 10 } }, null]);
    expect(changes[0].t_ns).toBeGreaterThanOrEqual(0.05e9);
    expect(changes[0].t_ns).toBeLessThanOrEqual(0.07e9);
    expect(changes[1].t_ns).toBeGreaterThanOrEqual(0.15e9);
    expect(changes[1].t_ns).toBeLessThanOrEqual(0.17e9);
    // A run whose weather holds gains nothing at its end.
    const still = join(dir, 'still.mcap');
    await runVariant({ id: 's', file: scenarioWith('still.yaml', ['weather: { fog: { visibility: 200 } }']), params: {}, rig, duration: 0.2, out: still }, 1);
    expect('weather_changes' in (await inspectRecording(still)).metadata).toBe(false);
  });

  it('is typed in a TypeScript scenario', () => {
    const built = scenario({ name: 't', map, weather: { fog: { visibility: 120 }, wet_road: 0.2 }, actors: [{ id: 'ego', kind: 'car', ego: true, road: '1', lane: -1, s: 30 }] }).build(join(dir, 't.ts'));
    expect(built.weather).toEqual({ fog: { visibility: 120 }, wetRoad: 0.2 });
  });
});

describe('weather in OpenSCENARIO', () => {
  const source = resolve('test/fixtures/esmini/xosc/cut-in_simple.xosc');
  const withEnvironment = (name: string, environment: string): string => {
    const base = dirname(source);
    const text = readFileSync(source, 'utf8')
      .replace(/(path|filepath)="\.\.\//g, `$1="${resolve(base, '..')}/`)
      .replace('<Actions>', `<Actions>\n<GlobalAction><EnvironmentAction>${environment}</EnvironmentAction></GlobalAction>`);
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('maps Fog visualRange, Precipitation and Sun (radians) onto the same model as weather:', () => {
    const file = withEnvironment('fog.xosc', `<Environment name="foggy"><TimeOfDay animation="false" dateTime="2020-01-01T12:00:00"/>
      <Weather cloudState="overcast"><Sun intensity="1000" azimuth="1.5707963267948966" elevation="0.5235987755982988"/>
      <Fog visualRange="75"/><Precipitation precipitationType="rain" intensity="3.5"/></Weather>
      <RoadCondition frictionScaleFactor="0.8"/></Environment>`);
    const osc = loadScenario(file);
    expect(osc.weather?.fog).toEqual({ visibility: 75 });
    expect(osc.weather?.rain).toEqual({ rate: 3.5 });
    expect(osc.weather?.sun?.azimuth).toBeCloseTo(90, 9);
    expect(osc.weather?.sun?.elevation).toBeCloseTo(30, 9);
    const yaml = loadScenario(scenarioWith('same.yaml', ['weather: { fog: { visibility: 75 } }']));
    expect(osc.weather?.fog).toEqual(yaml.weather?.fog);
  });

  it('maps an EnvironmentAction in a Story onto a weather action, which changes the weather when its event fires', () => {
    const base = dirname(source);
    const text = readFileSync(source, 'utf8')
      .replace(/(path|filepath)="\.\.\//g, `$1="${resolve(base, '..')}/`)
      .replace('<Action name="CutInAction">', '<Action name="Fogs"><GlobalAction><EnvironmentAction><Environment name="e"><Weather><Fog visualRange="45"/></Weather></Environment></EnvironmentAction></GlobalAction></Action>\n<Action name="CutInAction">');
    const file = join(dir, 'story.xosc');
    writeFileSync(file, text);
    const osc = loadScenario(file);
    expect(osc.weather).toBeUndefined();
    const actions = osc.storyboard.acts.flatMap((a) => a.maneuvers.flatMap((m) => m.events.flatMap((e) => e.actions)));
    expect(actions.find((a) => a.name === 'Fogs')).toEqual({ name: 'Fogs', type: 'weather', weather: { fog: { visibility: 45 } } });
    const sim = new Simulation(osc);
    let state = sim.state();
    for (let i = 0; i < 3000 && !sim.finished && !state.weather; i++) state = sim.step();
    expect(state.weather).toEqual({ fog: { visibility: 45 } });
    expect(state.events?.some((e) => e.type === 'trigger' && e.element === 'CutInEvent')).toBe(true);
  });

  it('refuses a fog of no visual range, naming the line', () => {
    const file = withEnvironment('nofog.xosc', '<Environment name="e"><Weather><Fog visualRange="0"/></Weather></Environment>');
    expect(userError(() => loadScenario(file)).message).toMatch(/nofog\.xosc:\d+.*visualRange must be > 0/);
  });
});
