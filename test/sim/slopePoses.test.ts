import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldArray } from '../../src/core/frame.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { Random } from '../../src/core/Random.js';
import { classId } from '../../src/core/semantic.js';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { Lidar } from '../../src/sensors/Lidar.js';
import type { LidarConfig } from '../../src/sensors/Rig.js';
import { Simulation } from '../../src/sim/Simulation.js';
import type { ActorState } from '../../src/sim/WorldState.js';
import { World } from '../../src/world/World.js';

// Poses on slopes (issue 18, defect 4), against the road geometry: the slope a car meets is
// measured here from roadToWorld positions a quarter metre either side of it along its lane
// (height change over plan distance), never from the pitch the road reports.

const DEG = Math.PI / 180;
const dir = mkdtempSync(join(tmpdir(), 'slope-poses-'));

function scenarioOn(map: string, cars: { id: string; lane: number; s: number; speed: number }[]): Simulation {
  const entities = cars.map((c) => `<ScenarioObject name="${c.id}"><Vehicle name="${c.id}" vehicleCategory="car"><BoundingBox><Center x="0" y="0" z="0.75"/>
    <Dimensions width="2" length="4.5" height="1.5"/></BoundingBox><Performance maxSpeed="70" maxAcceleration="10" maxDeceleration="10"/>
    <Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.8" positionX="2.8" positionZ="0.3"/><RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.8" positionX="0" positionZ="0.3"/></Axles>
    <Properties/></Vehicle></ScenarioObject>`).join('');
  const init = cars.map((c) => `<Private entityRef="${c.id}"><PrivateAction><TeleportAction><Position><LanePosition roadId="ROAD" laneId="${c.lane}" s="${c.s}"/></Position></TeleportAction></PrivateAction>
    <PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/><SpeedActionTarget><AbsoluteTargetSpeed value="${c.speed}"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction></Private>`).join('');
  const file = join(dir, `${cars.map((c) => c.id).join('-')}.xosc`);
  const road = map.includes('crest') ? '0' : '1';
  writeFileSync(file, `<?xml version="1.0"?><OpenSCENARIO><FileHeader revMajor="1" revMinor="1" date="2026-01-01T00:00:00" description="slopes" author="roadcast tests"/>
<RoadNetwork><LogicFile filepath="${resolve('test/fixtures/esmini/xodr', map)}"/></RoadNetwork><Entities>${entities}</Entities>
<Storyboard><Init><Actions>${init.replaceAll('ROAD', road)}</Actions></Init><StopTrigger/></Storyboard></OpenSCENARIO>`);
  return new Simulation(loadScenario(file));
}

/** The slope angle met driving along the lane through (s, t), towards +s (sense 1) or −s (−1). */
function slopeFromPositions(sim: Simulation, road: string, s: number, t: number, sense: number): number {
  const a = sim.network.roadToWorld(road, s - 0.25 * sense, t), b = sim.network.roadToWorld(road, s + 0.25 * sense, t);
  return Math.atan2(b.z - a.z, Math.hypot(b.x - a.x, b.y - a.y));
}

/** The world direction of the body's x axis (forward) from a pose quaternion (x, y, z, w). */
function forward(q: readonly number[]): [number, number, number] {
  const [x, y, z, w] = q;
  return [1 - 2 * (y * y + z * z), 2 * (x * y + z * w), 2 * (x * z - y * w)];
}

describe('poses on slopes (REP 103: x forward, y left, z up)', () => {
  it('crest-curve.xodr: uphill reads nose up in both directions, and the velocity climbs with the road', () => {
    // Elevation 0 → 6 m over s 200..270 and back down by s 340: lane −1 climbs at s 235, lane 1
    // (traffic towards −s) climbs at s 305.
    const sim = scenarioOn('crest-curve.xodr', [{ id: 'Up', lane: -1, s: 235, speed: 10 }, { id: 'Back', lane: 1, s: 305, speed: 10 }]);
    const state = sim.state();
    for (const [id, sense] of [['Up', 1], ['Back', -1]] as const) {
      const a = state.actors.find((x) => x.id === id)!;
      const slope = slopeFromPositions(sim, '0', a.s, a.t, sense);
      expect(slope).toBeGreaterThan(5 * DEG);
      const f = forward(a.pose.q);
      expect(Math.asin(f[2])).toBeCloseTo(slope, 4);
      // Plan speed 10 m/s along the heading; the height changes at 10·tan(slope).
      expect(Math.hypot(a.velocity[0], a.velocity[1])).toBeCloseTo(10, 9);
      expect(a.velocity[2]).toBeCloseTo(10 * Math.tan(slope), 3);
    }
  });

  it('velodrome.xodr: a superelevation that changes along the road pitches a lane off the reference line', () => {
    // s 500..607: the bank grows from 0 to −60° (the file's cubic), no elevation. Lane −2's
    // centre (t = −4.5 m) sinks as the bank grows: z = t·sin(roll(s)).
    const sim = scenarioOn('velodrome.xodr', [{ id: 'Banked', lane: -2, s: 550, speed: 0 }]);
    const a = sim.state().actors[0];
    const slope = slopeFromPositions(sim, '1', a.s, a.t, 1);
    expect(Math.abs(slope)).toBeGreaterThan(1 * DEG);
    expect(Math.asin(forward(a.pose.q)[2])).toBeCloseTo(slope, 4);
  });

  it('a LiDAR on a car climbing the crest tilts up with it: its forward beam reaches farther than its rear one', () => {
    const sim = scenarioOn('crest-curve.xodr', [{ id: 'Up', lane: -1, s: 235, speed: 0 }]);
    const car = sim.state().actors[0];
    const slope = slopeFromPositions(sim, '0', car.s, car.t, 1);
    // Only a level plane z = 0 to hit, below the car (which stands about 3 m above it).
    const mesh = new MeshBuilder();
    mesh.quad([-500, -500, 0], [500, -500, 0], [500, 500, 0], [-500, 500, 0], classId('road'));
    const world = World.fromMesh(mesh);
    const config: LidarConfig = {
      name: 'roof', type: 'lidar', parent: car.id, mount: { x: 0, y: 0, z: 2, roll: 0, pitch: 0, yaw: 0 },
      rateHz: 10, elevations: [-20 * DEG], horizontalFov: 2 * Math.PI, horizontalResolution: 90 * DEG, minRange: 0.1, maxRange: 200,
      rangeNoiseStd: 0, dropoutBase: 0, minSignal: 0, noReturn: 'drop', motionDistortion: false,
    };
    const points = fieldArray(new Lidar(config, new Random(1)).capture(world, car as ActorState, 0).data.points) as Float32Array;
    // The sensor 2 m up the car's z axis: height 2·cos(slope) above the car (no roll here).
    const h = car.pose.p[2] + 2 * Math.cos(slope);
    const ranges = { ahead: 0, behind: 0 };
    for (let i = 0; i < points.length; i += 4) {
      const r = Math.hypot(points[i], points[i + 1], points[i + 2]);
      if (points[i] > 1) ranges.ahead = r;
      if (points[i] < -1) ranges.behind = r;
    }
    // A beam 20° below the sensor's horizon leaves at 20° − slope below the world's ahead, 20° + slope behind.
    expect(ranges.ahead).toBeCloseTo(h / Math.sin(20 * DEG - slope), 2);
    expect(ranges.behind).toBeCloseTo(h / Math.sin(20 * DEG + slope), 2);
  });
});
