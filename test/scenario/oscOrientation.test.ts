import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { Simulation } from '../../src/sim/Simulation.js';
import { oscWriter } from './oscFile.js';

// An Orientation without a type (or with another word): esmini's ScenarioReader
// parseOSCOrientation reads it as absolute up to OpenSCENARIO 1.2 and relative from 1.3 (the
// standard's default since 1.3), warning; roadcast does the same and names the line.

const write = oscWriter('osc-orientation-');
const MAP = 'test/fixtures/esmini/xodr/straight_500m.xodr';

/** The Ego at t = 0 (its box centre and heading) and the reader's warnings. */
function start(file: string): { x: number; y: number; heading: number; warnings: string[] } {
  const scenario = loadScenario(file);
  const e = new Simulation(scenario).state().actors.find((a) => a.id === 'Ego')!;
  return { x: e.pose.p[0], y: e.pose.p[1], heading: e.heading, warnings: scenario.warnings };
}
const wrap = (h: number) => Math.atan2(Math.sin(h), Math.cos(h));

const car = (cx: number) => `<ScenarioObject name="Ego"><Vehicle name="Ego" vehicleCategory="car"><BoundingBox>
  <Center x="${cx}" y="0" z="0.75"/><Dimensions width="2" length="4.5" height="1.5"/></BoundingBox><Performance maxSpeed="70" maxAcceleration="10" maxDeceleration="10"/>
  <Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.8" positionX="2.8" positionZ="0.3"/><RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.8" positionX="0" positionZ="0.3"/></Axles>
  <Properties/></Vehicle></ScenarioObject>`;

describe('Orientation without a type: esmini\'s default by version', () => {
  // Lane 1 of straight_500m runs against s (heading π); its centre is at t = y = 1.535.
  const placed = (revMinor: number, cx = 0) => write(`orientation-1-${revMinor}.xosc`, {
    map: MAP, entities: car(cx), revMinor,
    init: '<Private entityRef="Ego"><PrivateAction><TeleportAction><Position><LanePosition roadId="1" laneId="1" s="100" offset="0"><Orientation h="0.5"/></LanePosition></Position></TeleportAction></PrivateAction></Private>',
  });

  it('up to 1.2 absolute: heading 0.5 whatever the lane; the body centre 1.4 m ahead along it', () => {
    const e = start(placed(2, 1.4));
    expect(e.heading).toBeCloseTo(0.5, 9);
    // The reference point at (100, 1.535), the box centre 1.4 m ahead along heading 0.5.
    expect(e.x).toBeCloseTo(100 + 1.4 * Math.cos(0.5), 6);
    expect(e.y).toBeCloseTo(1.535 + 1.4 * Math.sin(0.5), 6);
    expect(e.warnings.some((w) => /orientation-1-2\.xosc:\d+: <Orientation> has no type: read as absolute, OpenSCENARIO 1\.2's default/.test(w))).toBe(true);
  });

  it('from 1.3 relative: the lane\'s direction π turned by 0.5', () => {
    const e = start(placed(3, 0));
    expect(wrap(e.heading - (Math.PI + 0.5))).toBeCloseTo(0, 9);
    expect(e.warnings.some((w) => /orientation-1-3\.xosc:\d+: <Orientation> has no type: read as relative/.test(w))).toBe(true);
  });
});
