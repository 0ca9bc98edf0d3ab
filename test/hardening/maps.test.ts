/**
 * OpenDRIVE with absurd but well-formed numbers (map/MapLimits.ts, and the budgets of the
 * mesh, locator and dressing): each used to hang for minutes or grow past gigabytes in
 * parsing, meshing, the locator or the dressing; each is now one line naming the file, the
 * element's line and the road, within a time and memory bound, and maps at the edge of the
 * limits (UTM coordinates, a 50 km spiral) still load.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAP_LIMITS } from '../../src/map/MapLimits.js';
import { MAX_MESH_SAMPLES } from '../../src/map/RoadMesh.js';
import { MAX_CELL_CHORDS } from '../../src/map/RoadLocator.js';
import { expectOneLineError, roadcast } from './bounded.js';

const dir = mkdtempSync(join(tmpdir(), 'roadcast-maps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface RoadParts {
  id?: string | number;
  length?: number | string;
  geometry?: string;
  x?: number | string;
  y?: number | string;
  width?: string;
  elevation?: string;
  superelevation?: string;
  laneOffset?: string;
  rightLanes?: string;
}

/** One road, a line by default, with a lane each way and a sidewalk: line 3 is the <road>. */
function road(parts: RoadParts = {}): string {
  const length = parts.length ?? 400;
  const width = parts.width ?? 'a="3.5" b="0" c="0" d="0"';
  return [
    `  <road id="${parts.id ?? 1}" length="${length}" junction="-1">`,
    `    <planView><geometry s="0" x="${parts.x ?? 0}" y="${parts.y ?? 0}" hdg="0" length="${length}">${parts.geometry ?? '<line/>'}</geometry></planView>`,
    parts.elevation ? `    <elevationProfile><elevation s="0" ${parts.elevation}/></elevationProfile>` : '',
    parts.superelevation ? `    <lateralProfile><superelevation s="0" ${parts.superelevation}/></lateralProfile>` : '',
    `    <lanes>${parts.laneOffset ? `<laneOffset s="0" ${parts.laneOffset}/>` : ''}<laneSection s="0">`,
    `      <left><lane id="1" type="driving"><width sOffset="0" ${width}/><roadMark sOffset="0" type="solid" width="0.12"/></lane></left>`,
    `      <center><lane id="0" type="none"><roadMark sOffset="0" type="broken" width="0.12"/></lane></center>`,
    `      <right>${parts.rightLanes ?? `<lane id="-1" type="driving"><width sOffset="0" ${width}/></lane><lane id="-2" type="sidewalk"><width sOffset="0" a="2"/></lane>`}</right>`,
    `    </laneSection></lanes>`,
    `  </road>`,
  ].filter((line) => line !== '').join('\n');
}

function writeMap(name: string, roads: string): string {
  const file = join(dir, name);
  writeFileSync(file, `<?xml version="1.0"?>\n<OpenDRIVE><header revMajor="1" revMinor="6" name="${name}"/>\n${roads}\n</OpenDRIVE>\n`);
  return file;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('OpenDRIVE with absurd numbers', () => {
  it('each absurd number is refused while reading, naming file, line, road and the limit', () => {
    // [name, road, line of the element at fault, message]
    const cases: [string, RoadParts, number, RegExp][] = [
      ['length-1e7', { length: 1e7 }, 3, /road 1: length 10000000 is beyond the longest road roadcast reads \(100000 m\)/],
      ['length-1e308', { length: '1e308' }, 3, /road 1: length 1e\+308 is beyond the longest road/],
      ['spiral-1e6', { geometry: '<spiral curvStart="0" curvEnd="1e6"/>' }, 4, /road 1: <geometry> curvature 1000000 is beyond ±100 1\/m/],
      ['arc-minus-1e6', { geometry: '<arc curvature="-1e6"/>' }, 4, /road 1: <geometry> curvature -1000000 is beyond ±100 1\/m/],
      ['winding', { geometry: '<arc curvature="2"/>' }, 4, /road 1: <geometry> turns by up to 800 rad over its length; at most 100 full turns are read/],
      ['width-d-1e15', { width: 'a="3.5" b="0" c="0" d="1e15"' }, 6, /road 1: lane 1: <width> reaches 6\.40e\+22 m where it applies; expected at most ±1000 m/],
      ['width-a-1e15', { width: 'a="1e15"' }, 6, /road 1: lane 1: <width> reaches 1\.00e\+15 m/],
      ['lanes-too-wide', { width: 'a="999"' }, 8, /road 1: lane -2 lies up to 1\.00e\+3 m from the reference line \(lane offset and widths of the lanes inside it, each at its widest\); expected at most 1000 m/],
      ['offset-1e12', { laneOffset: 'a="0" b="0" c="1e12" d="0"' }, 5, /road 1: <laneOffset> reaches 1\.60e\+17 m/],
      ['elevation-1e15', { elevation: 'a="0" b="0" c="0" d="1e15"' }, 5, /road 1: <elevation> reaches 6\.40e\+22 m where it applies; expected at most ±10000 m/],
      ['superelevation', { superelevation: 'a="0" b="1e3" c="0" d="0"' }, 5, /road 1: <superelevation> reaches 4\.00e\+5 rad; expected less than a right angle/],
      ['coordinates-1e15', { x: '1e15', y: 0 }, 4, /road 1: <geometry> x=1000000000000000 is farther than 100000000 m from the origin/],
      ['coordinates-utm-times-100', { x: 0, y: '5e8' }, 4, /road 1: <geometry> y=500000000 is farther than 100000000 m from the origin/],
      ['5000-lanes', { rightLanes: Array.from({ length: 5000 }, (_, i) => `<lane id="-${i + 1}" type="driving"><width sOffset="0" a="0.1"/></lane>`).join('') }, 5, /road 1: the lane section at s=0 has 5000 right lanes; at most 32 on a side are read/],
    ];
    for (const [name, parts, line, message] of cases) {
      const file = writeMap(`${name}.xodr`, road(parts));
      const error = expectOneLineError(roadcast(['map', 'info', file]), message);
      expect(error, name).toMatch(new RegExp(`^roadcast: ${escape(file)}:${line}: `));
    }
  }, 300_000);

  it('maps in UTM coordinates, and roads at the length limit, still load', () => {
    const utm = writeMap('utm.xodr', road({ x: 512345.5, y: 5412345.25 }));
    const info = roadcast(['map', 'info', utm, '--json']);
    expect(info.stderr).toBe('');
    const bbox = (JSON.parse(info.stdout) as { bbox: { minX: number; maxY: number } }).bbox;
    expect(bbox.minX).toBeCloseTo(512345.5, 6);
    expect(bbox.maxY).toBeCloseTo(5412345.25 + 3.5, 6);
    const long = writeMap('long.xodr', road({ length: MAP_LIMITS.length }));
    expect(roadcast(['map', 'info', long]).status).toBe(0);
  }, 120_000);

  it('thousands of roads beyond the map size limit are refused at the road that crosses it', () => {
    // Each road: 1 km with three lanes and the centre line, 4 km of lane; 2000 km at road 501.
    const roads = Array.from({ length: 600 }, (_, i) => road({ id: i + 1, length: 1000, x: 0, y: i * 20 }));
    const file = writeMap('many-roads.xodr', roads.join('\n'));
    const error = expectOneLineError(roadcast(['map', 'info', file]), /road 501: the map's lanes add up to more than 2000 km here/);
    // Road n starts on line 3 + 8 (n - 1): each road above is eight lines long.
    expect(error).toContain(`${file}:${3 + 8 * 500}:`);
  }, 120_000);

  it('a map within the ranges whose mesh would need too many samples is refused by the mesh budget', () => {
    // 400 tight loops (radius 1/6 m), each refined down to the shortest step.
    const roads = Array.from({ length: 400 }, (_, i) => road({ id: i + 1, length: 100, x: (i % 20) * 50, y: Math.floor(i / 20) * 50, geometry: '<arc curvature="6"/>', width: 'a="0.05"' }));
    const file = writeMap('tight-loops.xodr', roads.join('\n'));
    expectOneLineError(roadcast(['map', 'export', file, '--out', join(dir, 'tight.glb')]), new RegExp(`road \\d+: the road mesh needs more than ${MAX_MESH_SAMPLES.toLocaleString('en-US')} samples`));
  }, 120_000);

  it('a road piled on itself is refused by the locator before every query pays for the pile', () => {
    // 80 windings of one circle (within the turning limit): 500 chords in one 10 m cell.
    const file = writeMap('winding.xodr', road({ length: 50000, geometry: '<spiral curvStart="0.01" curvEnd="0.01"/>' }));
    expectOneLineError(roadcast(['map', 'export', file, '--dressing', '--out', join(dir, 'winding.glb')]), new RegExp(`road 1: more than ${MAX_CELL_CHORDS} pieces of road lie within one 10 m square`));
  }, 120_000);

  it('a 50 km spiral that is nearly an arc is meshed and dressed (it used to integrate 2000 panels per point)', () => {
    const file = writeMap('nearly-arc.xodr', road({ length: 50000, geometry: '<spiral curvStart="0.0001" curvEnd="0.0001"/>' }));
    const out = join(dir, 'nearly-arc.glb');
    const result = roadcast(['map', 'export', file, '--dressing', '--out', out], 30_000);
    expect(result.signal).toBeNull();
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Wrote .*nearly-arc\.glb: \d+ triangles/);
  }, 120_000);

  it('map sample with a step that asks for billions of rows is one line', () => {
    const file = writeMap('sample.xodr', road({ length: 50000 }));
    expectOneLineError(roadcast(['map', 'sample', file, '--road', '1', '--step', '0.000001']), /^roadcast: --step: a step of 0\.000001 m gives 50000000000 samples along road 1 \(50000 m\); at most 1,000,000 are printed$/);
  });
});
