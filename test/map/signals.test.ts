// Traffic signals, signs and controllers read from esmini's maps (test/fixtures/esmini, MPL-2.0),
// their counts checked against the file's own text (a separate, regex count of the XML).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapInfo } from '../../src/map/MapInfo.js';
import { parseOpenDrive, readOpenDrive } from '../../src/map/OpenDriveReader.js';

const MULTI = 'test/fixtures/esmini/xodr/multi_intersections.xodr';
const SIGNS = 'test/fixtures/esmini/xodr/straight_500m_signs.xodr';

/** Signals in the file by (country, type, subtype), from the text. */
function signalCodes(file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of readFileSync(file, 'utf8').matchAll(/<signal\s[^>]*>/g)) {
    const attr = (name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(m[0])?.[1] ?? '';
    const key = `${attr('country')}|${attr('type')}|${attr('subtype')}`;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

describe('OpenDRIVE signals', () => {
  it('reads every signal of multi_intersections.xodr with its kind, and its 23 controllers', () => {
    const codes = signalCodes(MULTI);
    const n = (code: string) => codes.get(code) ?? 0;
    const info = mapInfo(readOpenDrive(MULTI));
    expect(info.signals).toEqual({
      traffic_light: n('OpenDRIVE|1000001|-1'),
      pedestrian_light: n('OpenDRIVE|1000002|-1'),
      stop_sign: 0,
      give_way_sign: n('OpenDRIVE|205|-1'),
      speed_limit: n('OpenDRIVE|274|55') + n('OpenDRIVE|274|57'),
      stop_line: n('OpenDRIVE|294|-1'),
      priority_road: n('OpenDRIVE|306|-1'),
      // the crosswalk markings (1000003) and the four of type -1
      sign: n('OpenDRIVE|1000003|-1') + n('OpenDRIVE|-1|-1'),
    });
    expect(Object.values(info.signals).reduce((a, b) => a + b, 0)).toBe(127);
    expect(info.signal_controllers).toBe(23);
    expect(info.stop_lines).toBe(17);
    // Unknown codes are one warning each, naming the first line, with the count.
    expect(info.warnings).toContain(`${MULTI}:148: road 196: <signal> of country "OpenDRIVE", type "1000003", subtype "-1" is not a kind roadcast knows: kept as a generic sign (17 times)`);
  });

  it('keeps a signal\'s place, size, facing, value and lanes, and a controller\'s signals, as written', () => {
    const network = readOpenDrive(MULTI);
    const road = network.road('196');
    // <signal s="0" t="5.3" id="290" ... orientation="-" zOffset="0" type="1000001" hOffset="43.807764225057674" height="3.22" width="0.45">
    const light = road.signals.find((s) => s.id === '290')!;
    expect(light).toMatchObject({ kind: 'traffic_light', lamps: ['red', 'amber', 'green'], s: 0, t: 5.3, orientation: '-', height: 3.22, width: 0.45, dynamic: true });
    expect(light.hOffset).toBeCloseTo(43.807764225057674, 12);
    // The pedestrian light beside it: <validity fromLane="0" toLane="0"/>.
    expect(road.signals.find((s) => s.id === '305')).toMatchObject({ kind: 'pedestrian_light', lamps: ['red', 'green'], validity: [{ fromLane: 0, toLane: 0 }] });
    // <controller name="ctrl002" id="2"> switches 290, 291, 286 and 281 (first four <control>s).
    const ctrl = network.controllers.find((c) => c.id === '2')!;
    expect(ctrl.name).toBe('ctrl002');
    expect(ctrl.controls.slice(0, 4).map((c) => c.signalId)).toEqual(['290', '291', '286', '281']);
    // Junction 146 names its controllers 3, 1, 4, 2 in that order.
    expect(network.junctions.find((j) => j.id === '146')!.controllers!.map((c) => c.id)).toEqual(['3', '1', '4', '2']);
    // The 70 km/h sign: value 70 km/h.
    const limit = network.signals().find((s) => s.kind === 'speed_limit')!;
    expect(limit.value).toBe(70);
    expect(limit.unit).toBe('km/h');
  });

  it('puts a stop line without validity on the driving lanes it faces: s = 4 on road 196, orientation "-" → lane 1', () => {
    // Road 196's lanes: 1 and -1 driving; "-" faces traffic along −s, the left lanes under right-hand traffic.
    const stop = readOpenDrive(MULTI).stopLines().find((l) => l.roadId === '196' && l.signalId === '292')!;
    expect(stop).toMatchObject({ s: 4, lanes: [1] });
  });

  it('reads the speed limits of straight_500m_signs.xodr (StVO 274, country de) in km/h and keeps the other countries\' signs as generic', () => {
    const network = readOpenDrive(SIGNS);
    const codes = signalCodes(SIGNS);
    const limits = network.signals().filter((s) => s.kind === 'speed_limit');
    expect(limits.length).toBe(codes.get('de|274|')!);
    expect(limits.map((s) => s.value).sort()).toEqual([30, 30, 50, 50, 50, 50]);
    expect(network.signals().length).toBe([...codes.values()].reduce((a, b) => a + b, 0));
    expect(network.signals().filter((s) => s.kind === 'sign').length).toBe(network.signals().length - limits.length);
  });

  it('refuses a bad orientation or an s off the road, naming the line', () => {
    const map = (signal: string) => `<OpenDRIVE><header/><road id="1" length="10" junction="-1"><planView><geometry s="0" x="0" y="0" hdg="0" length="10"><line/></geometry></planView>
<lanes><laneSection s="0"><center><lane id="0" type="none"/></center><right><lane id="-1" type="driving"><width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane></right></laneSection></lanes>
<signals>
${signal}
</signals></road></OpenDRIVE>`;
    expect(() => parseOpenDrive(map('<signal id="1" s="2" t="-4" orientation="up" type="206" country="DE"/>'), 'm.xodr')).toThrow(/m\.xodr:4.*orientation must be "\+", "-" or "none", got "up"/);
    expect(() => parseOpenDrive(map('<signal id="1" s="12" t="-4" orientation="+" type="206" country="DE"/>'), 'm.xodr')).toThrow(/m\.xodr:4.*s=12 is outside the road \(length 10 m\)/);
    const ok = parseOpenDrive(map('<signal id="1" s="2" t="-4" orientation="+" type="206" country="DE" zOffset="1.5" height="0.9" width="0.9"/>'), 'm.xodr');
    expect(ok.signals()[0]).toMatchObject({ kind: 'stop_sign', s: 2, t: -4, zOffset: 1.5 });
  });
});
