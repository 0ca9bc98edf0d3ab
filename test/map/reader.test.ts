import { describe, expect, it } from 'vitest';
import { classId } from '../../src/core/semantic.js';
import { parseOpenDrive, readOpenDrive } from '../../src/map/OpenDriveReader.js';
import { buildRoadMesh } from '../../src/map/RoadMesh.js';
import { areasByClass, userError } from '../helpers.js';

const road = (geometry: string, lanes = '<lane id="-1" type="driving"><width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane>'): string => `<?xml version="1.0"?>
<OpenDRIVE>
  <header revMajor="1" revMinor="6"/>
  <road id="7" length="100" junction="-1">
    <planView>
${geometry}
    </planView>
    <lanes>
      <laneSection s="0">
        <center><lane id="0" type="none"/></center>
        <right>${lanes}</right>
      </laneSection>
    </lanes>
  </road>
</OpenDRIVE>`;


describe('OpenDRIVE reader', () => {
  it('reads the bundled straight road: lanes, lane centres and world poses', () => {
    const network = readOpenDrive('maps/straight_two_lane.xodr');
    expect(network.roads.map((r) => r.id)).toEqual(['1']);
    const main = network.road('1');
    expect(main.length).toBe(400);
    expect(main.laneCenterT(-1, 10)).toBeCloseTo(-1.75, 12);
    expect(main.laneCenterT(1, 10)).toBeCloseTo(1.75, 12);
    expect(main.laneCenterT(-2, 10)).toBeCloseTo(-4.5, 12);
    const p = network.lanePose('1', -1, 123);
    expect([p.x, p.y, p.z, p.heading]).toEqual([123, -1.75, 0, 0]);
    expect(network.bounds()).toEqual({ minX: 0, maxX: 400, minY: -5.5, maxY: 5.5 });
  });

  it('follows an arc exactly', () => {
    const k = 0.02;
    const network = parseOpenDrive(road('<geometry s="0" x="10" y="5" hdg="0.5" length="100"><arc curvature="0.02"/></geometry>'));
    const r = network.road('7');
    // The centre of the circle lies 1/k to the left of the start heading.
    const cx = 10 - Math.sin(0.5) / k, cy = 5 + Math.cos(0.5) / k;
    for (const s of [0, 17, 50, 100]) {
      const p = r.pose(s, -1.75);
      expect(Math.hypot(p.x - cx, p.y - cy)).toBeCloseTo(1 / k + 1.75, 9);
      expect(p.heading).toBeCloseTo(0.5 + k * s, 12);
    }
  });

  it('tessellates lanes with their classes, kerbs and markings', () => {
    const network = readOpenDrive('maps/straight_two_lane.xodr');
    const soup = buildRoadMesh(network).soup();
    const area = areasByClass(soup);
    expect(area.get(classId('road'))).toBeCloseTo(400 * 7, 3);
    // Two 2 m sidewalks plus two 0.15 m kerb faces along 400 m.
    expect(area.get(classId('sidewalk'))).toBeCloseTo(400 * (4 + 0.3), 3);
    // Two solid edge lines over 400 m and a broken centre line (3 m on, 6 m off), 0.15 m wide.
    const broken = 44 * 3 + Math.min(3, 400 - 44 * 9);
    expect(area.get(classId('lane_marking'))).toBeCloseTo(0.15 * (2 * 400 + broken), 3);
  });

  it('names the file and line of malformed XML', () => {
    const error = userError(() => parseOpenDrive('<OpenDRIVE>\n<road id="1">\n</OpenDRIVE>', 'bad.xodr'));
    expect(error.message).toMatch(/^bad\.xodr:3: XML is not well-formed/);
  });

  it('names the line of a missing attribute, a negative length and an unsupported geometry', () => {
    expect(userError(() => parseOpenDrive(road('<geometry s="0" x="0" y="0" length="100"><line/></geometry>'), 'a.xodr')).message)
      .toBe('a.xodr:6: <geometry> needs the numeric attribute "hdg"');
    expect(userError(() => parseOpenDrive(road('<geometry s="0" x="0" y="0" hdg="0" length="-3"><line/></geometry>'), 'a.xodr')).message)
      .toBe('a.xodr:6: <geometry> length must not be negative, got -3');
    expect(userError(() => parseOpenDrive(road('<geometry s="0" x="0" y="0" hdg="0" length="100">\n<clothoid curvStart="0" curvEnd="0.1"/></geometry>'), 'a.xodr')).message)
      .toBe('a.xodr:7: <clothoid> geometry is not supported (supported: <line>, <arc>, <spiral>, <poly3>, <paramPoly3>)');
    expect(userError(() => parseOpenDrive(road('<geometry s="0" x="0" y="0" hdg="0" length="100">\n<spiral curvStart="0"/></geometry>'), 'a.xodr')).message)
      .toBe('a.xodr:7: <spiral> needs the numeric attribute "curvEnd"');
    expect(userError(() => parseOpenDrive(road('<geometry s="0" x="0" y="0" hdg="0" length="100">\n<paramPoly3 aU="0" bU="1" cU="0" dU="0" aV="0" bV="0" cV="0" dV="0" pRange="degrees"/></geometry>'), 'a.xodr')).message)
      .toBe('a.xodr:7: <paramPoly3> pRange must be "arcLength" or "normalized", got "degrees"');
  });

  it('reports a missing map file clearly', () => {
    expect(userError(() => readOpenDrive('maps/nope.xodr')).message).toBe('maps/nope.xodr: cannot read the map: no such file');
  });
});
