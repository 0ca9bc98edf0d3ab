import { ArcGeometry, LineGeometry, type PlanGeometry } from './ReferenceLine.js';
import { SpiralGeometry } from './Spiral.js';
import { serializeXml, xml, type XmlNode } from './XmlWriter.js';

const LANE = 3.5;
const SHOULDER = 2.5;
const JUNCTION_LENGTH = 20;

type Piece = { kind: 'line'; length: number } | { kind: 'arc'; length: number; k: number } | { kind: 'spiral'; length: number; k0: number; k1: number };

interface Placed {
  geometry: PlanGeometry;
  node: XmlNode;
}

/** Lays pieces end to end from a start pose, each starting exactly where the previous ends. */
function layOut(x: number, y: number, heading: number, pieces: Piece[]): { placed: Placed[]; end: { x: number; y: number; heading: number }; length: number } {
  const placed: Placed[] = [];
  let s = 0;
  for (const piece of pieces) {
    const geometry = piece.kind === 'line' ? new LineGeometry(s, x, y, heading, piece.length)
      : piece.kind === 'arc' ? new ArcGeometry(s, x, y, heading, piece.length, piece.k)
        : new SpiralGeometry(s, x, y, heading, piece.length, piece.k0, piece.k1);
    const shape = piece.kind === 'line' ? xml('line') : piece.kind === 'arc' ? xml('arc', { curvature: piece.k }) : xml('spiral', { curvStart: piece.k0, curvEnd: piece.k1 });
    placed.push({ geometry, node: xml('geometry', { s, x, y, hdg: heading, length: piece.length }, [shape]) });
    const end = geometry.evaluate(piece.length);
    ({ x, y, heading } = end);
    s += piece.length;
  }
  return { placed, end: { x, y, heading }, length: s };
}

function lane(id: number, type: string, width: number | XmlNode, mark?: string, links: XmlNode[] = []): XmlNode {
  const children = [xml('link', {}, links), typeof width === 'number' ? xml('width', { sOffset: 0, a: width, b: 0, c: 0, d: 0 }) : width];
  if (mark) children.push(xml('roadMark', { sOffset: 0, type: mark, weight: 'standard', color: 'standard', width: 0.15 }));
  return xml('lane', { id, type, level: 'false' }, children);
}

const center = (mark?: string): XmlNode => xml('center', {}, [xml('lane', { id: 0, type: 'none', level: 'false' }, [xml('link'), ...(mark ? [xml('roadMark', { sOffset: 0, type: mark, weight: 'standard', color: 'standard', width: 0.15 })] : [])])]);
const leftCarriageway = (): XmlNode => xml('left', {}, [lane(3, 'shoulder', SHOULDER), lane(2, 'driving', LANE, 'solid'), lane(1, 'driving', LANE, 'broken')]);

function road(id: string, name: string, junction: string, length: number, link: XmlNode[], placed: Placed[], sections: XmlNode[], speedKmh: number): XmlNode {
  return xml('road', { name, length, id, junction }, [
    xml('link', {}, link),
    xml('type', { s: 0, type: 'motorway' }, [xml('speed', { max: speedKmh, unit: 'km/h' })]),
    xml('planView', {}, placed.map((p) => p.node)),
    xml('elevationProfile', {}, [xml('elevation', { s: 0, a: 0, b: 0, c: 0, d: 0 })]),
    xml('lateralProfile'),
    xml('lanes', {}, sections),
  ]);
}

/**
 * A two-by-two-lane highway with an on-ramp, as OpenDRIVE: road 1 curves left through a
 * clothoid-arc-clothoid bend, then a junction where the ramp (road 3) joins as an entry lane
 * on road 2, which tapers away over 100 m before road 2 bends right through another bend.
 */
export function generateHighway(): string {
  const upstream = layOut(0, 0, 0, [
    { kind: 'line', length: 300 },
    { kind: 'spiral', length: 120, k0: 0, k1: 1 / 800 },
    { kind: 'arc', length: 250, k: 1 / 800 },
    { kind: 'spiral', length: 120, k0: 1 / 800, k1: 0 },
    { kind: 'line', length: 200 },
  ]);
  const a = upstream.end;
  const through = layOut(a.x, a.y, a.heading, [{ kind: 'line', length: JUNCTION_LENGTH }]);
  const b = through.end;
  const downstream = layOut(b.x, b.y, b.heading, [
    { kind: 'line', length: 500 },
    { kind: 'spiral', length: 100, k0: 0, k1: -1 / 600 },
    { kind: 'arc', length: 200, k: -1 / 600 },
    { kind: 'spiral', length: 100, k0: -1 / 600, k1: 0 },
    { kind: 'line', length: 300 },
  ]);

  // The ramp's reference line runs along the entry lane's inner border (t = -2 lanes), so its
  // lane -1 continues straight into road 2's lane -3 through a 20 m connecting road.
  const offset = 2 * LANE;
  const entry = { x: a.x + offset * Math.sin(a.heading), y: a.y - offset * Math.cos(a.heading), heading: a.heading };
  const rampTurn = (20 * Math.PI) / 180;
  const rampK = 1 / 200;
  const rampArc = rampTurn / rampK;
  const h0 = a.heading - rampTurn;
  // Work back from the entry point: a 40 m straight before it, the arc before that, 120 m before that.
  const arcStart = { x: entry.x - 40 * Math.cos(a.heading), y: entry.y - 40 * Math.sin(a.heading) };
  const lineEnd = { x: arcStart.x - (Math.sin(a.heading) - Math.sin(h0)) / rampK, y: arcStart.y + (Math.cos(a.heading) - Math.cos(h0)) / rampK };
  const rampStart = { x: lineEnd.x - 120 * Math.cos(h0), y: lineEnd.y - 120 * Math.sin(h0) };
  const ramp = layOut(rampStart.x, rampStart.y, h0, [
    { kind: 'line', length: 120 },
    { kind: 'arc', length: rampArc, k: rampK },
    { kind: 'line', length: 40 },
  ]);
  const rampJoin = layOut(entry.x, entry.y, entry.heading, [{ kind: 'line', length: JUNCTION_LENGTH }]);

  const rightMain = (outerMark: string, extra: XmlNode[] = []): XmlNode => xml('right', {}, [
    lane(-1, 'driving', LANE, 'broken'), lane(-2, 'driving', LANE, outerMark), ...extra,
  ]);
  const taper = xml('width', { sOffset: 0, a: LANE, b: 0, c: (-3 * LANE) / 100 ** 2, d: (2 * LANE) / 100 ** 3 });
  const roads = [
    road('1', 'highway upstream', '-1', upstream.length, [xml('successor', { elementType: 'junction', elementId: '100' })], upstream.placed, [
      xml('laneSection', { s: 0 }, [leftCarriageway(), center('solid solid'), rightMain('solid', [lane(-3, 'shoulder', SHOULDER)])]),
    ], 120),
    road('2', 'highway downstream', '-1', downstream.length, [xml('predecessor', { elementType: 'junction', elementId: '100' })], downstream.placed, [
      xml('laneSection', { s: 0 }, [leftCarriageway(), center('solid solid'), rightMain('broken', [lane(-3, 'entry', LANE, 'solid'), lane(-4, 'shoulder', SHOULDER)])]),
      xml('laneSection', { s: 200 }, [leftCarriageway(), center('solid solid'), rightMain('broken', [lane(-3, 'entry', taper, 'solid'), lane(-4, 'shoulder', SHOULDER)])]),
      xml('laneSection', { s: 300 }, [leftCarriageway(), center('solid solid'), rightMain('solid', [lane(-3, 'shoulder', SHOULDER)])]),
    ], 120),
    road('3', 'on-ramp', '-1', ramp.length, [xml('successor', { elementType: 'junction', elementId: '100' })], ramp.placed, [
      xml('laneSection', { s: 0 }, [center(), xml('right', {}, [lane(-1, 'onRamp', LANE, 'solid'), lane(-2, 'shoulder', SHOULDER)])]),
    ], 80),
    road('10', 'through', '100', JUNCTION_LENGTH, [
      xml('predecessor', { elementType: 'road', elementId: '1', contactPoint: 'end' }),
      xml('successor', { elementType: 'road', elementId: '2', contactPoint: 'start' }),
    ], through.placed, [
      xml('laneSection', { s: 0 }, [
        xml('left', {}, [
          lane(2, 'driving', LANE, 'solid', [xml('predecessor', { id: 2 }), xml('successor', { id: 2 })]),
          lane(1, 'driving', LANE, 'broken', [xml('predecessor', { id: 1 }), xml('successor', { id: 1 })]),
        ]),
        center('solid solid'),
        xml('right', {}, [
          lane(-1, 'driving', LANE, 'broken', [xml('predecessor', { id: -1 }), xml('successor', { id: -1 })]),
          lane(-2, 'driving', LANE, 'broken', [xml('predecessor', { id: -2 }), xml('successor', { id: -2 })]),
        ]),
      ]),
    ], 120),
    road('11', 'ramp join', '100', JUNCTION_LENGTH, [
      xml('predecessor', { elementType: 'road', elementId: '3', contactPoint: 'end' }),
      xml('successor', { elementType: 'road', elementId: '2', contactPoint: 'start' }),
    ], rampJoin.placed, [
      xml('laneSection', { s: 0 }, [center(), xml('right', {}, [lane(-1, 'entry', LANE, 'solid', [xml('predecessor', { id: -1 }), xml('successor', { id: -3 })])])]),
    ], 80),
  ];
  const junction = xml('junction', { id: '100', name: 'on-ramp merge' }, [
    xml('connection', { id: '0', incomingRoad: '1', connectingRoad: '10', contactPoint: 'start' }, [xml('laneLink', { from: -1, to: -1 }), xml('laneLink', { from: -2, to: -2 })]),
    xml('connection', { id: '1', incomingRoad: '2', connectingRoad: '10', contactPoint: 'end' }, [xml('laneLink', { from: 1, to: 1 }), xml('laneLink', { from: 2, to: 2 })]),
    xml('connection', { id: '2', incomingRoad: '3', connectingRoad: '11', contactPoint: 'start' }, [xml('laneLink', { from: -1, to: -1 })]),
  ]);
  return serializeXml(xml('OpenDRIVE', {}, [
    xml('header', { revMajor: 1, revMinor: 6, name: 'highway with on-ramp', version: '1.0', vendor: 'roadcast' }),
    ...roads,
    junction,
  ]));
}
