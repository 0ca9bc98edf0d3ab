import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOpenDrive } from '../../src/map/OpenDriveReader.js';
import type { RoadNetwork } from '../../src/map/RoadNetwork.js';
import { buildScenario, type ScenarioDefinition } from '../../src/scenario/definition.js';
import type { Scenario } from '../../src/scenario/Scenario.js';
import { Simulation } from '../../src/sim/Simulation.js';
import type { WorldState } from '../../src/sim/WorldState.js';

export const LANE_WIDTH = 3.5;
export const SIDEWALK = 2;

const lane = (id: number, type: string, width: number): string =>
  `<lane id="${id}" type="${type}" level="false"><link/><width sOffset="0" a="${width}" b="0" c="0" d="0"/></lane>`;

/**
 * A straight road along +x, `length` m: one left lane (1) against s, three right lanes
 * (-1, -2, -3) with s, a 2 m sidewalk on each side (2 and -4), limit 100 km/h.
 */
export function straightRoadXodr(length = 3000): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<OpenDRIVE>
  <header revMajor="1" revMinor="6" name="straight"/>
  <road name="straight" length="${length}" id="1" junction="-1">
    <link/>
    <type s="0" type="motorway"><speed max="100" unit="km/h"/></type>
    <planView><geometry s="0" x="0" y="0" hdg="0" length="${length}"><line/></geometry></planView>
    <elevationProfile><elevation s="0" a="0" b="0" c="0" d="0"/></elevationProfile>
    <lanes>
      <laneSection s="0">
        <left>${lane(2, 'sidewalk', SIDEWALK)}${lane(1, 'driving', LANE_WIDTH)}</left>
        <center><lane id="0" type="none" level="false"/></center>
        <right>${lane(-1, 'driving', LANE_WIDTH)}${lane(-2, 'driving', LANE_WIDTH)}${lane(-3, 'driving', LANE_WIDTH)}${lane(-4, 'sidewalk', SIDEWALK)}</right>
      </laneSection>
    </lanes>
  </road>
</OpenDRIVE>
`;
}

/** A road with a 200 m radius left arc after 100 m of straight, three right lanes. */
export function curvedRoadXodr(): string {
  return straightRoadXodr(700).replace(
    '<geometry s="0" x="0" y="0" hdg="0" length="700"><line/></geometry>',
    '<geometry s="0" x="0" y="0" hdg="0" length="100"><line/></geometry><geometry s="100" x="100" y="0" hdg="0" length="600"><arc curvature="0.005"/></geometry>',
  );
}

let dir: string | undefined;
const networks = new Map<string, { file: string; network: RoadNetwork }>();

export function mapFile(name: 'straight' | 'curved'): { file: string; network: RoadNetwork } {
  let found = networks.get(name);
  if (!found) {
    dir ??= mkdtempSync(join(tmpdir(), 'roadcast-sim-'));
    const file = join(dir, `${name}.xodr`);
    writeFileSync(file, name === 'straight' ? straightRoadXodr() : curvedRoadXodr());
    found = { file, network: readOpenDrive(file) };
    networks.set(name, found);
  }
  return found;
}

/** A scenario on a fixture map from a definition (map path filled in). */
export function makeScenario(def: Omit<ScenarioDefinition, 'map' | 'name'> & { name?: string }, map: 'straight' | 'curved' = 'straight'): Scenario {
  const { file, network } = mapFile(map);
  return buildScenario({ name: 'test', map: file, ...def } as ScenarioDefinition, { file: join(dir!, 'test.yaml'), network });
}

/** Runs a scenario for `seconds`, returning every state (index = tick). */
export function run(scenario: Scenario, seconds: number, seed?: number): { sim: Simulation; states: WorldState[] } {
  const sim = new Simulation(scenario, seed);
  const states = [sim.state()];
  const ticks = Math.round(seconds / scenario.step);
  for (let i = 0; i < ticks; i++) states.push(sim.step());
  return { sim, states };
}

// A light for the lanes driven along s at s = 300 (t = -12, beside the road), its stop line at
// s = 296, and one controller; a second light and controller for the plan test.
const SIGNALS = `<signals>
  <signal s="300" t="-12" id="L1" orientation="+" dynamic="yes" type="1000001" country="OpenDRIVE" subtype="-1" zOffset="0" height="3.2" width="0.45"/>
  <signal s="296" t="-5.25" id="S1" orientation="+" dynamic="no" type="294" country="OpenDRIVE" subtype="-1" height="0.02" width="10.5"/>
  <signal s="300" t="-12" id="P1" orientation="-" dynamic="yes" type="1000002" country="OpenDRIVE" subtype="-1" height="2.6" width="0.35"/>
  <signal s="600" t="5" id="L2" orientation="-" dynamic="yes" type="1000001" country="OpenDRIVE" subtype="-1" height="3.2" width="0.45"/>
</signals>`;
const CONTROLLERS = `<controller id="c1" name="main"><control signalId="L1" type="0"/><control signalId="P1" type="0"/></controller>
  <controller id="c2" name="other"><control signalId="L2" type="0"/></controller>`;

/** The fixture road (1000 m) with the signals and controllers above, written to a fresh file. */
export function signalledRoadFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'roadcast-lights-'));
  const file = join(dir, 'lights.xodr');
  writeFileSync(file, straightRoadXodr(1000).replace('</lanes>', `</lanes>\n${SIGNALS}`).replace('</OpenDRIVE>', `${CONTROLLERS}\n</OpenDRIVE>`));
  return file;
}

