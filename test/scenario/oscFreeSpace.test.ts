import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldArray, type ArrayField, type Frame } from '../../src/core/frame.js';
import { runScenario } from '../../src/run/runScenario.js';
import { loadRunInputs, recordingOptions } from '../../src/run/RunInputs.js';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { loadRig } from '../../src/sensors/Rig.js';
import { Simulation } from '../../src/sim/Simulation.js';
import { userError } from '../helpers.js';

// OpenSCENARIO without a road network: free space. Expected values from straight-line
// kinematics and the geometry of rays over a flat ground plane.

const dir = mkdtempSync(join(tmpdir(), 'osc-free-'));

const car = (name: string) => `<ScenarioObject name="${name}"><Vehicle name="${name}" vehicleCategory="car"><BoundingBox><Center x="1.4" y="0" z="0.75"/><Dimensions width="2" length="4.5" height="1.5"/></BoundingBox>
  <Performance maxSpeed="70" maxAcceleration="10" maxDeceleration="10"/><Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.8" positionX="2.8" positionZ="0.3"/>
  <RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.8" positionX="0" positionZ="0.3"/></Axles><Properties/></Vehicle></ScenarioObject>`;
const speed = (v: number) => `<PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/><SpeedActionTarget><AbsoluteTargetSpeed value="${v}"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction>`;

function freeSpace(name: string, roadNetwork: string, otherDx = 30): string {
  const file = join(dir, name);
  writeFileSync(file, `<?xml version="1.0"?>
<OpenSCENARIO><FileHeader revMajor="1" revMinor="2" date="2026-01-01T00:00:00" description="${name}" author="roadcast tests"/>
${roadNetwork}
<Entities>${car('Ego')}${car('Other')}</Entities>
<Storyboard><Init><Actions>
<Private entityRef="Ego"><PrivateAction><TeleportAction><Position><WorldPosition x="10" y="20" h="0.5"/></Position></TeleportAction></PrivateAction>${speed(10)}</Private>
<Private entityRef="Other"><PrivateAction><TeleportAction><Position><RelativeWorldPosition entityRef="Ego" dx="${otherDx}" dy="-4"/></Position></TeleportAction></PrivateAction>${speed(0)}</Private>
</Actions></Init><StopTrigger/></Storyboard></OpenSCENARIO>`);
  return file;
}

describe('free space: OpenSCENARIO without a road network', () => {
  it('no RoadNetwork, or an empty LogicFile path: entities move on straight lines at their speed and heading', () => {
    for (const [name, network] of [['none.xosc', ''], ['empty.xosc', '<RoadNetwork><LogicFile filepath=""/></RoadNetwork>'], ['bare.xosc', '<RoadNetwork/>']]) {
      const scenario = loadScenario(freeSpace(name, network));
      expect(scenario.mapFile).toBe('');
      expect(scenario.network.roads).toHaveLength(0);
      const sim = new Simulation(scenario);
      for (let i = 0; i < 200; i++) sim.step();
      // Reference point (10, 20), heading 0.5 rad, 10 m/s for 2 s: 20 m along the heading; the
      // body centre (the actor's x, y) 1.4 m further along it.
      const ego = sim.actor('Ego')!;
      expect(ego.x).toBeCloseTo(10 + 21.4 * Math.cos(0.5), 6);
      expect(ego.y).toBeCloseTo(20 + 21.4 * Math.sin(0.5), 6);
      expect(ego.heading).toBeCloseTo(0.5, 9);
      expect(ego.speed).toBeCloseTo(10, 9);
      expect(ego.z).toBe(0);
      // RelativeWorldPosition: world axes from Ego's reference point (dx, dy not turned by its
      // heading), and Other's body centre 1.4 m ahead along Ego's heading (inherited: h absent).
      const other = sim.actor('Other')!;
      expect(Math.hypot(other.x - (40 + 1.4 * Math.cos(other.heading)), other.y - (16 + 1.4 * Math.sin(other.heading)))).toBeLessThan(1e-6);
      expect(other.speed).toBe(0);
    }
  });

  it('a LiDAR over the flat ground plane sees each downward ring at h / sin(|elevation|)', async () => {
    // Other stands 3 km away, beyond the LiDAR's 100 m: only the plane is in range.
    const scenario = loadScenario(freeSpace('lidar.xosc', '', 3000));
    const rigFile = join(dir, 'rig.yaml');
    // One pose per sweep (no motion distortion), so every ring is a circle on the plane.
    writeFileSync(rigFile, 'sensors:\n  - { name: top, type: lidar, preset: vlp-16, horizontal: { resolution: 1 }, motion_distortion: false, mount: { z: 1.9 } }\n');
    const frames: Frame[] = [];
    await runScenario({ scenario: { ...scenario, buildings: 0, furniture: false }, rig: loadRig(rigFile), duration: 0.25, threads: 1, sinks: [{ write: (f) => void frames.push(f) }] });
    const sweeps = frames.filter((f) => f.topic === 'lidar/top');
    expect(sweeps.length).toBeGreaterThanOrEqual(2);
    for (const sweep of sweeps) {
      const points = fieldArray(sweep.data.points as ArrayField);
      const n = points.length / 4;
      // VLP-16 rings at −15, −13, …, −3° reach the plane within 100 m (−1°: 108.9 m, beyond
      // range; the upward rings see nothing): 7 rings × 360 columns. The ego itself is not hit.
      expect(n).toBe(7 * 360);
      const byRing = new Map<number, number[]>();
      for (let i = 0; i < n; i++) {
        const x = points[i * 4], y = points[i * 4 + 1], z = points[i * 4 + 2];
        const range = Math.hypot(x, y, z);
        const elevation = Math.round((Math.asin(z / range) * 180) / Math.PI);
        expect(z).toBeCloseTo(-1.9, 4);
        (byRing.get(elevation) ?? byRing.set(elevation, []).get(elevation)!).push(range);
      }
      expect([...byRing.keys()].sort((a, b) => a - b)).toEqual([-15, -13, -11, -9, -7, -5, -3]);
      for (const [e, ranges] of byRing) {
        const expected = 1.9 / Math.sin((-e * Math.PI) / 180);
        expect(ranges).toHaveLength(360);
        for (const r of ranges) expect(Math.abs(r - expected)).toBeLessThan(2e-3 * expected);
      }
    }
  });

  it('a lane position in free space is an error naming its line', () => {
    const file = join(dir, 'lane.xosc');
    writeFileSync(file, readFileSync(freeSpace('lane-src.xosc', ''), 'utf8').replace('<WorldPosition x="10" y="20" h="0.5"/>', '<LanePosition roadId="1" laneId="-1" s="10"/>'));
    const error = userError(() => loadScenario(file));
    expect(error.where).toMatch(/lane\.xosc:\d+$/);
    expect(error.message).toContain('free space (the scenario has no road network): a <LanePosition> needs roads');
  });

  it('a recording of a free-space run names no map and attaches none', async () => {
    const rigFile = join(dir, 'rig-gt.yaml');
    writeFileSync(rigFile, 'sensors:\n  - { name: actors, type: ground_truth, rate: 10 }\n');
    const inputs = await loadRunInputs(freeSpace('record.xosc', ''), { rig: rigFile });
    const options = recordingOptions(inputs);
    expect(options.metadata.map).toBe('none (free space)');
    expect(options.attachments.map((a) => a.name)).toEqual(['scenario/record.xosc', 'rig/rig-gt.yaml']);
  });
});
