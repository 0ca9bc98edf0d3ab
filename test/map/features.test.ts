import { describe, expect, it } from 'vitest';
import { classId } from '../../src/core/semantic.js';
import { parseOpenDrive } from '../../src/map/OpenDriveReader.js';
import { buildRoadMesh, sampleStations } from '../../src/map/RoadMesh.js';
import { singleRoad } from './fixtures.js';
import { areasByClass, userError } from '../helpers.js';



const lane = (id: number, body: string, type = 'driving'): string => `<lane id="${id}" type="${type}">${body}</lane>`;
const width = (a: number, sOffset = 0, b = 0): string => `<width sOffset="${sOffset}" a="${a}" b="${b}" c="0" d="0"/>`;

describe('lanes', () => {
  it('reads <border> lanes as the outer border t measured from the reference line', () => {
    const network = parseOpenDrive(singleRoad({
      sections: `<laneSection s="0"><center>${lane(0, '', 'none')}</center><right>
        ${lane(-1, '<border sOffset="0" a="-3" b="-0.01" c="0" d="0"/>')}
        ${lane(-2, '<border sOffset="0" a="-5" b="0" c="0" d="0"/>', 'shoulder')}
      </right></laneSection>`,
    }));
    const road = network.road('1');
    expect(road.laneSpan(-1, 50)).toMatchObject({ inner: 0, outer: -3.5 });
    expect(road.laneSpan(-2, 50)).toMatchObject({ inner: -3.5, outer: -5 });
    expect(road.laneCenterT(-2, 50)).toBeCloseTo(-4.25, 12);
  });

  it('carries the other side over a singleSide lane section, re-based on its start', () => {
    const network = parseOpenDrive(singleRoad({
      sections: `
        <laneSection s="0"><left>${lane(1, width(3, 0, 0.01))}</left><center>${lane(0, '', 'none')}</center><right>${lane(-1, width(3.5))}</right></laneSection>
        <laneSection s="40" singleSide="true"><center>${lane(0, '', 'none')}</center><right>${lane(-1, width(3.5))}${lane(-2, width(2), 'shoulder')}</right></laneSection>`,
    }));
    const road = network.road('1');
    expect(road.sections).toHaveLength(2);
    // The left lane keeps widening by 0.01 m/m from s = 0 through the second section.
    expect(road.laneSpan(1, 70)!.outer).toBeCloseTo(3 + 0.01 * 70, 12);
    expect(road.laneSpan(-2, 70)!.outer).toBeCloseTo(-5.5, 12);
  });

  it('raises lanes by their <height> and draws the kerb', () => {
    const network = parseOpenDrive(singleRoad({
      sections: `<laneSection s="0"><center>${lane(0, '', 'none')}</center><right>
        ${lane(-1, width(3))}${lane(-2, width(2) + '<height sOffset="0" inner="0.12" outer="0.12"/>', 'sidewalk')}
      </right></laneSection>`,
    }));
    const a = areasByClass(buildRoadMesh(network).soup());
    expect(a.get(classId('road'))).toBeCloseTo(300, 6);
    expect(a.get(classId('sidewalk'))).toBeCloseTo(100 * (2 + 0.12), 6);
  });
});

describe('road surface', () => {
  it('rolls the cross-section by the superelevation', () => {
    const network = parseOpenDrive(singleRoad({ extra: '<lateralProfile><superelevation s="0" a="0.1" b="0" c="0" d="0"/></lateralProfile>' }));
    const p = network.roadToWorld('1', 30, -2);
    expect(p.roll).toBeCloseTo(0.1, 12);
    expect(p.y).toBeCloseTo(-2 * Math.cos(0.1), 12);
    expect(p.z).toBeCloseTo(-2 * Math.sin(0.1), 12);
    expect(network.warnings).toEqual([]);
  });

  it('follows elevation: z and pitch', () => {
    const network = parseOpenDrive(singleRoad({ extra: '<elevationProfile><elevation s="0" a="1" b="0.02" c="0.0001" d="0"/></elevationProfile>' }));
    const p = network.roadToWorld('1', 40, 1);
    expect(p.z).toBeCloseTo(1 + 0.02 * 40 + 0.0001 * 1600, 12);
    expect(p.pitch).toBeCloseTo(Math.atan(0.02 + 0.0002 * 40), 12);
  });

  it('places an adaptive number of stations from the chord error, not a fixed count', () => {
    const arc = (k: number): string => `<geometry s="0" x="0" y="0" hdg="0" length="100"><arc curvature="${k}"/></geometry>`;
    const stations = (k: number, chordError: number): number[] => {
      const road = parseOpenDrive(singleRoad({ geometry: arc(k) })).road('1');
      return sampleStations(road, road.sections[0], { chordError });
    };
    const straight = stations(0, 0.01);
    expect(straight.length).toBeLessThanOrEqual(6);
    const coarse = stations(0.02, 0.04);
    const fine = stations(0.02, 0.01);
    // A quarter of the chord error needs about twice the stations (error ~ k L² / 8).
    expect(fine.length / coarse.length).toBeGreaterThan(1.6);
    const road = parseOpenDrive(singleRoad({ geometry: arc(0.02) })).road('1');
    for (let i = 1; i < fine.length; i++) {
      const a = fine[i - 1], b = fine[i];
      // The outer left border (radius 1/k - 3.5) and right border (1/k + 3.5) are the extremes.
      for (const t of [3.5, -3.5]) {
        const pa = road.pose(a, t), pb = road.pose(b, t), pm = road.pose(0.5 * (a + b), t);
        const dev = Math.hypot(pm.x - 0.5 * (pa.x + pb.x), pm.y - 0.5 * (pa.y + pb.y));
        expect(dev).toBeLessThanOrEqual(0.01 + 1e-9);
      }
    }
  });
});

describe('objects and warnings', () => {
  it('draws crosswalks from cornerRoad and cornerLocal outlines', () => {
    const network = parseOpenDrive(singleRoad({
      extra: `<objects>
        <object id="1" type="crosswalk" s="20" t="0" zOffset="0" hdg="0"><outline>
          <cornerRoad s="18" t="-3.5" dz="0"/><cornerRoad s="22" t="-3.5" dz="0"/><cornerRoad s="22" t="3.5" dz="0"/><cornerRoad s="18" t="3.5" dz="0"/>
        </outline></object>
        <object id="2" type="crosswalk" s="60" t="0" zOffset="0" hdg="0"><outlines><outline>
          <cornerLocal u="-2" v="-3.5" z="0"/><cornerLocal u="2" v="-3.5" z="0"/><cornerLocal u="2" v="3.5" z="0"/><cornerLocal u="-2" v="3.5" z="0"/>
        </outline></outlines></object>
        <object id="3" type="pole" s="5" t="6"/>
      </objects>`,
    }));
    const road = network.road('1');
    expect(road.crosswalks.map((c) => c.corners.map((p) => [p.x, p.y]))).toEqual([
      [[18, -3.5], [22, -3.5], [22, 3.5], [18, 3.5]],
      [[58, -3.5], [62, -3.5], [62, 3.5], [58, 3.5]],
    ]);
    const withCrosswalks = areasByClass(buildRoadMesh(network).soup()).get(classId('lane_marking'))!;
    const without = areasByClass(buildRoadMesh(parseOpenDrive(singleRoad({}))).soup()).get(classId('lane_marking'))!;
    expect(withCrosswalks - without).toBeCloseTo(2 * 4 * 7, 3);
    expect(network.warnings).toEqual(['<memory>:13: road 1: <object type="pole"> is not modelled (only crosswalks are)']);
  });

  it('warns, with file and line, about signals, lateral shapes and unknown elements', () => {
    const network = parseOpenDrive(singleRoad({
      extra: `<lateralProfile>
        <shape s="0" t="-3" a="0" b="0.02" c="0" d="0"/>
        <shape s="0" t="0" a="0" b="-0.02" c="0" d="0"/>
      </lateralProfile>
      <signals>
        <signal id="1" s="10" t="-4"/>
      </signals>
      <railroad/>`,
    }), 'w.xodr');
    expect(network.warnings).toEqual([
      'w.xodr:7: road 1: <shape> is not modelled: the cross-section stays straight (superelevation only) (2 times)',
      'w.xodr:11: road 1: <signal> of country "", type "", subtype "-1" is not a kind roadcast knows: kept as a generic sign',
      'w.xodr:13: road 1: <railroad> is not supported and is ignored',
    ]);
  });
});

describe('malformed maps', () => {
  it('names the line of each mistake', () => {
    expect(userError(() => parseOpenDrive(singleRoad({ length: -5 }), 'm.xodr')).message).toBe('m.xodr:4: road 1: length must be positive, got -5');
    expect(userError(() => parseOpenDrive(singleRoad({ sections: '<laneSection s="0"><right><lane id="-1" type="driving"/></right></laneSection>' }), 'm.xodr')).message)
      .toBe('m.xodr:7: <laneSection> needs exactly one centre lane, found 0');
    expect(userError(() => parseOpenDrive(singleRoad({ sections: `<laneSection s="0"><center>${lane(0, '', 'none')}</center><right>\n${lane(-1, '<width sOffset="0" a="x"/>')}</right></laneSection>` }), 'm.xodr')).message)
      .toBe('m.xodr:8: <width> attribute "a" must be a number, got "x"');
    expect(userError(() => parseOpenDrive(singleRoad({ sections: `<laneSection s="0"><center>${lane(0, '', 'none')}</center><right>${lane(-2, width(3))}</right></laneSection>` }), 'm.xodr')).message)
      .toBe('m.xodr:7: lane ids must run -1, -2, ... without gaps; found -2');
    expect(userError(() => parseOpenDrive(singleRoad({ extra: '<link><successor elementType="lane" elementId="3"/></link>' }), 'm.xodr')).message)
      .toBe('m.xodr:6: <successor> elementType must be "road" or "junction", got "lane"');
    expect(userError(() => parseOpenDrive('<OpenDRIVE>\n<junction id="1">\n<connection id="0" incomingRoad="1" contactPoint="start"/></junction>\n<road id="1" length="1"><planView><geometry s="0" x="0" y="0" hdg="0" length="1"><line/></geometry></planView><lanes><laneSection s="0"><center><lane id="0"/></center></laneSection></lanes></road></OpenDRIVE>', 'j.xodr')).message)
      .toBe('j.xodr:3: <connection> needs the attribute "connectingRoad" (or "linkedRoad" in a direct junction)');
    expect(userError(() => parseOpenDrive('<OpenDRIVE><header/></OpenDRIVE>', 'e.xodr')).message).toBe('e.xodr:1: the map has no <road>');
    expect(userError(() => parseOpenDrive('<OpenDRIVE>\n  <road id="1" length="10">\n    <planView>\n      <geometry s="0" x="0" y="0" hdg="0" length="10"><line/>\n    </planView>\n  </road>\n</OpenDRIVE>', 'x.xodr')).message)
      .toMatch(/^x\.xodr:5: XML is not well-formed/);
  });
});
