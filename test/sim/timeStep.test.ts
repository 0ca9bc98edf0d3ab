import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunInputs, recordingOptions } from '../../src/run/RunInputs.js';
import { Simulation } from '../../src/sim/Simulation.js';

// The fixed step set by the caller (roadcast run --step, loadRunInputs({ step })), and the
// integration scheme against closed-form kinematics and against esmini's.

const dir = mkdtempSync(join(tmpdir(), 'time-step-'));
const A = 5; // m/s², the ramp of the scenario below
const V = 10; // m/s, its target

/** One car on straight_500m (road along +x): reference point at s 50, body centre 1.4 m ahead; 0 → 10 m/s at 5 m/s². */
const file = join(dir, 'ramp.xosc');
writeFileSync(file, `<?xml version="1.0"?><OpenSCENARIO><FileHeader revMajor="1" revMinor="1" date="2026-01-01T00:00:00" description="ramp" author="roadcast tests"/>
<RoadNetwork><LogicFile filepath="${resolve('test/fixtures/esmini/xodr/straight_500m.xodr')}"/></RoadNetwork>
<Entities><ScenarioObject name="Ego"><Vehicle name="c" vehicleCategory="car"><BoundingBox><Center x="1.4" y="0" z="0.75"/><Dimensions width="2" length="4.5" height="1.5"/></BoundingBox>
<Performance maxSpeed="70" maxAcceleration="10" maxDeceleration="10"/><Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.8" positionX="2.8" positionZ="0.3"/>
<RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.8" positionX="0" positionZ="0.3"/></Axles><Properties/></Vehicle></ScenarioObject></Entities>
<Storyboard><Init><Actions><Private entityRef="Ego"><PrivateAction><TeleportAction><Position><LanePosition roadId="1" laneId="-1" s="50"/></Position></TeleportAction></PrivateAction>
<PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="linear" value="${A}" dynamicsDimension="rate"/>
<SpeedActionTarget><AbsoluteTargetSpeed value="${V}"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction></Private></Actions></Init><StopTrigger/></Storyboard></OpenSCENARIO>`);

/** Distance covered from rest under a ramp of A up to V, then V: x(t) in closed form. */
const exact = (t: number) => (t <= V / A ? (A * t * t) / 2 : (V * V) / (2 * A) + V * (t - V / A));

/**
 * esmini's scheme (speed first, then position with the new speed: semi-implicit Euler) for
 * the same motion, step by step: v ← v + a·dt, x ← x + v·dt. After n steps (t = n·dt) of
 * acceleration x = Σ a·k·dt·dt = ½·a·t² + ½·a·t·dt: ahead of the exact motion by ½·a·t·dt,
 * and by ½·a·T·dt = ½·Δv·dt for good once the speed holds (both then add v·dt per step).
 */
function esminiScheme(dt: number, t: number): number {
  let v = 0, x = 0;
  for (let k = 0; k < Math.round(t / dt); k++) {
    v = Math.min(V, v + A * dt);
    x += v * dt;
  }
  return x;
}

describe('the simulation step', () => {
  it('loadRunInputs({ step }) sets it for any scenario and the recording says so; without it nothing changes', async () => {
    const own = await loadRunInputs(file);
    expect(own.scenario.step).toBe(0.01);
    expect(recordingOptions(own).metadata).not.toHaveProperty('step_s');
    const stepped = await loadRunInputs(file, { step: 0.05 });
    expect(stepped.scenario.step).toBe(0.05);
    expect(recordingOptions(stepped).metadata.step_s).toBe('0.05');
    await expect(loadRunInputs(file, { step: 0 })).rejects.toThrow(/step must be > 0/);
  });

  it('roadcast run --step refuses a step outside (0, 1] s in one line, before loading anything', () => {
    const result = spawnSync(process.execPath, ['dist/cli/main.js', 'run', file, '--step', '2', '--no-record'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--step.*expected a step in seconds, > 0 and <= 1, got "2"/);
  });

  for (const dt of [0.01, 0.05]) {
    it(`at ${dt} s, speed ramps and cruising land on the closed form (trapezoidal position update)`, async () => {
      const { scenario } = await loadRunInputs(file, { step: dt });
      const sim = new Simulation(scenario);
      const x0 = sim.state().actors[0].pose.p[0];
      expect(x0).toBeCloseTo(51.4, 12);
      for (let k = 1; k <= Math.round(3 / dt); k++) {
        const state = sim.step();
        const t = k * dt;
        if (Math.abs(t * 2 - Math.round(t * 2)) > 1e-9) continue;
        const x = state.actors[0].pose.p[0] - x0;
        expect(x).toBeCloseTo(exact(t), 9);
        // esmini at the same step runs ahead by ½·a·t·dt while accelerating, ½·Δv·dt after.
        expect(esminiScheme(dt, t) - x).toBeCloseTo(0.5 * A * Math.min(t, V / A) * dt, 9);
      }
    });
  }
});
