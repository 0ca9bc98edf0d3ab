import { UserError } from '../core/errors.js';
import { Random } from '../core/Random.js';
import { serializeXml, xml, type XmlNode } from './XmlWriter.js';

export interface TownOptions {
  /** Intersections along x and along y. */
  columns: number;
  rows: number;
  /** Nominal distance between neighbouring intersections (m). */
  block: number;
  seed: number;
  laneWidth?: number;
  sidewalkWidth?: number;
  /**
   * How junctions are controlled: 'signals' (the default: traffic and walk lights, two
   * controllers per junction) or 'stop_signs' (east-west streets have priority, signed 306 at
   * each junction; north-south traffic stops at a stop line and stop sign, 206).
   */
  control?: 'signals' | 'stop_signs';
  /**
   * Left turns at signalled junctions: 'permissive' (the default: one round light per arm, left
   * turners go on its green) or 'protected': a straight-and-right arrow light (OpenDRIVE
   * 1000011.50) and a left arrow light (1000011.10) per arm, and each axis's left arrows get a
   * phase of their own before its through traffic (four controllers per junction).
   */
  leftTurns?: 'permissive' | 'protected';
}

/** Half-size of the square each junction occupies: the lanes and sidewalk plus room to turn. */
const JUNCTION_HALF = 10;
const CROSSWALK_WIDTH = 3;

type Direction = 0 | 1 | 2 | 3; // east, north, west, south
const UNIT: Record<Direction, [number, number]> = { 0: [1, 0], 1: [0, 1], 2: [-1, 0], 3: [0, -1] };

interface Arm {
  direction: Direction;
  road: string;
  /** Whether the road's start (s = 0) touches this junction; otherwise its end does. */
  startsHere: boolean;
  roadLength: number;
  /** The light for traffic entering the junction from this arm, and the two pedestrian lights of its crosswalk. */
  light: string;
  walkLights: [string, string];
  /** Its left-turn arrow light, where left turns are protected. */
  leftLight?: string;
}

const SIGNAL_NAMES: Record<number, string> = { 294: 'stop line', 206: 'stop', 306: 'priority road', 1000001: 'traffic light', 1000002: 'pedestrian light', 1000011: 'arrow light' };

/** How far before the junction edge the stop line and the lights stand: past the crosswalk (0.5-3.5 m) and a metre. */
const STOP_LINE_SETBACK = CROSSWALK_WIDTH + 1.5;

/**
 * Writes a grid town as OpenDRIVE: two-way roads (one lane each way) with sidewalks between
 * four-way junctions, dead-end stubs out of the grid's edge, a crosswalk on every arm of
 * every junction, and junction connecting roads for every straight, left and right movement.
 * Each junction is signalled: on every arm a stop line before the crosswalk and a traffic
 * light (OpenDRIVE 1000001) on the kerb at it, pedestrian lights (1000002) at both ends of the
 * crosswalk, and two controllers, east-west and north-south, each switching its arms' lights
 * and the pedestrian lights of the crosswalks its traffic runs beside (with `leftTurns:
 * 'protected'`, arrow lights and a left-turn controller per axis before its through one).
 * The seed jitters the spacing of the grid lines, so towns differ but stay rectilinear.
 */
export function generateTown(options: TownOptions): string {
  const { columns, rows, block } = options;
  if (!Number.isInteger(columns) || !Number.isInteger(rows) || columns < 1 || rows < 1 || columns * rows > 400) {
    throw new UserError(`--grid must be COLUMNSxROWS with 1 to 400 junctions, got ${columns}x${rows}`);
  }
  if (!(block >= 2 * JUNCTION_HALF + 20)) throw new UserError(`--block must be at least ${2 * JUNCTION_HALF + 20} m, got ${block}`);
  const laneWidth = options.laneWidth ?? 3.5;
  const sidewalkWidth = options.sidewalkWidth ?? 2;
  const random = new Random(options.seed).split('town');
  const protectedLefts = (options.control ?? 'signals') === 'signals' && options.leftTurns === 'protected';
  const xs = gridLines(columns, block, random);
  const ys = gridLines(rows, block, random);

  const roads: XmlNode[] = [];
  const arms = new Map<string, Arm[]>();
  const junctionId = (i: number, j: number): string => String(1000 + j * columns + i);
  let nextRoad = 1;
  const addArm = (junction: string, arm: Arm): void => {
    if (!arms.has(junction)) arms.set(junction, []);
    arms.get(junction)!.push(arm);
  };
  const addStreet = (x0: number, y0: number, heading: Direction, length: number, from: string | null, to: string | null): void => {
    const id = String(nextRoad++);
    roads.push(streetRoad(id, x0, y0, heading, length, from, to, laneWidth, sidewalkWidth, options.control ?? 'signals', protectedLefts));
    const left = (end: string): { leftLight?: string } => (protectedLefts ? { leftLight: `${id}${end}` } : {});
    if (from) addArm(from, { direction: heading, road: id, startsHere: true, roadLength: length, light: `${id}11`, walkLights: [`${id}13`, `${id}14`], ...left('21') });
    if (to) addArm(to, { direction: ((heading + 2) % 4) as Direction, road: id, startsHere: false, roadLength: length, light: `${id}12`, walkLights: [`${id}15`, `${id}16`], ...left('22') });
  };

  const stub = block / 2 - JUNCTION_HALF;
  for (let j = 0; j < rows; j++) {
    const y = ys[j];
    addStreet(xs[0] - JUNCTION_HALF - stub, y, 0, stub, null, junctionId(0, j));
    for (let i = 0; i + 1 < columns; i++) {
      addStreet(xs[i] + JUNCTION_HALF, y, 0, xs[i + 1] - xs[i] - 2 * JUNCTION_HALF, junctionId(i, j), junctionId(i + 1, j));
    }
    addStreet(xs[columns - 1] + JUNCTION_HALF, y, 0, stub, junctionId(columns - 1, j), null);
  }
  for (let i = 0; i < columns; i++) {
    const x = xs[i];
    addStreet(x, ys[0] - JUNCTION_HALF - stub, 1, stub, null, junctionId(i, 0));
    for (let j = 0; j + 1 < rows; j++) {
      addStreet(x, ys[j] + JUNCTION_HALF, 1, ys[j + 1] - ys[j] - 2 * JUNCTION_HALF, junctionId(i, j), junctionId(i, j + 1));
    }
    addStreet(x, ys[rows - 1] + JUNCTION_HALF, 1, stub, junctionId(i, rows - 1), null);
  }

  const junctions: XmlNode[] = [];
  const controllers: XmlNode[] = [];
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < columns; i++) {
      const id = junctionId(i, j);
      const junctionArms = arms.get(id)!.sort((a, b) => a.direction - b.direction);
      const connections: XmlNode[] = [];
      for (const incoming of junctionArms) {
        for (const outgoing of junctionArms) {
          if (incoming === outgoing) continue;
          const road = String(nextRoad++);
          roads.push(connectingRoad(road, id, xs[i], ys[j], incoming, outgoing, laneWidth));
          connections.push(xml('connection', { id: String(connections.length), incomingRoad: incoming.road, connectingRoad: road, contactPoint: 'start' }, [
            xml('laneLink', { from: incoming.startsHere ? 1 : -1, to: -1 }),
          ]));
        }
      }
      // East-west traffic's lights with the walkers beside it (crossing the north-south arms), then north-south;
      // with protected left turns each axis's left arrows first, in a phase of their own.
      const phases: XmlNode[] = [];
      if ((options.control ?? 'signals') === 'signals') {
        const controller = (suffix: number, name: string, signalIds: string[]): void => {
          const controllerId = `${id}${suffix}`;
          controllers.push(xml('controller', { id: controllerId, name: `junction ${i},${j} ${name}` }, signalIds.map((signalId) => xml('control', { signalId, type: 0 }))));
          phases.push(xml('controller', { id: controllerId, type: 0, sequence: phases.length + 1 }));
        };
        for (const axis of [0, 1]) {
          const name = axis === 0 ? 'east-west' : 'north-south';
          const own = junctionArms.filter((a) => a.direction % 2 === axis);
          const walkers = junctionArms.filter((a) => a.direction % 2 !== axis).flatMap((a) => a.walkLights);
          if (protectedLefts) controller(axis + 3, `${name} left`, own.map((a) => a.leftLight!));
          controller(axis + 1, name, [...own.map((a) => a.light), ...walkers]);
        }
      }
      junctions.push(xml('junction', { id, name: `junction ${i},${j}` }, [...connections, ...phases]));
    }
  }

  const west = xs[0] - block / 2, east = xs[columns - 1] + block / 2;
  const south = ys[0] - block / 2, north = ys[rows - 1] + block / 2;
  return serializeXml(xml('OpenDRIVE', {}, [
    xml('header', { revMajor: 1, revMinor: 6, name: `town ${columns}x${rows} block ${block} seed ${options.seed}`, version: '1.0', north, south, east, west, vendor: 'roadcast' }),
    ...roads,
    ...controllers,
    ...junctions,
  ]));
}

/** Grid line positions from 0, each gap the block length jittered by up to 15 %. */
function gridLines(count: number, block: number, random: Random): number[] {
  const lines = [0];
  for (let k = 1; k < count; k++) lines.push(lines[k - 1] + Math.round(block * random.uniform(0.85, 1.15) * 10) / 10);
  return lines;
}

function width(a: number): XmlNode {
  return xml('width', { sOffset: 0, a, b: 0, c: 0, d: 0 });
}

function lane(id: number, type: string, laneWidth: number, mark?: string, links: XmlNode[] = []): XmlNode {
  const children = [xml('link', {}, links), width(laneWidth)];
  if (mark) children.push(xml('roadMark', { sOffset: 0, type: mark, weight: 'standard', color: 'standard', width: 0.15 }));
  return xml('lane', { id, type, level: 'false' }, children);
}

function streetRoad(
  id: string, x: number, y: number, heading: Direction, length: number, from: string | null, to: string | null,
  laneWidth: number, sidewalkWidth: number, control: 'signals' | 'stop_signs', protectedLefts: boolean,
): XmlNode {
  const link: XmlNode[] = [];
  if (from) link.push(xml('predecessor', { elementType: 'junction', elementId: from }));
  if (to) link.push(xml('successor', { elementType: 'junction', elementId: to }));
  const crosswalk = (s: number, objectId: string): XmlNode => xml('object', {
    id: objectId, type: 'crosswalk', name: 'crosswalk', s, t: 0, zOffset: 0, orientation: 'none', length: CROSSWALK_WIDTH, width: 2 * laneWidth, hdg: 0, pitch: 0, roll: 0,
  }, [xml('outline', { id: 0, fillType: 'paint', outer: 'true', closed: 'true', laneType: 'driving' }, [
    xml('cornerRoad', { id: 0, s: s - CROSSWALK_WIDTH / 2, t: -laneWidth, dz: 0, height: 0 }),
    xml('cornerRoad', { id: 1, s: s + CROSSWALK_WIDTH / 2, t: -laneWidth, dz: 0, height: 0 }),
    xml('cornerRoad', { id: 2, s: s + CROSSWALK_WIDTH / 2, t: laneWidth, dz: 0, height: 0 }),
    xml('cornerRoad', { id: 3, s: s - CROSSWALK_WIDTH / 2, t: laneWidth, dz: 0, height: 0 }),
  ])]);
  const objects: XmlNode[] = [];
  if (from) objects.push(crosswalk(CROSSWALK_WIDTH / 2 + 0.5, `${id}01`));
  if (to) objects.push(crosswalk(length - CROSSWALK_WIDTH / 2 - 0.5, `${id}02`));
  // Lights of a junction end: traffic toward the start drives lane 1 (against s), toward the end lane -1.
  const kerb = laneWidth + sidewalkWidth / 2;
  const signal = (signalId: string, s: number, t: number, orientation: '+' | '-', type: number, extra: Record<string, string | number>, validity?: number): XmlNode => xml('signal', {
    s, t, id: signalId, name: SIGNAL_NAMES[type], dynamic: type >= 1000000 ? 'yes' : 'no', orientation,
    zOffset: 0, country: 'OpenDRIVE', type, subtype: -1, ...extra,
  }, validity === undefined ? [] : [xml('validity', { fromLane: validity, toLane: validity })]);
  const signals: XmlNode[] = [];
  const end = (at: number, toward: 1 | -1, lightId: string, walkIds: [string, string], lineId: string, crosswalkS: number, leftId: string): void => {
    // toward = +1: traffic drives +s on lane -1 toward s = length; -1: on lane 1 toward s = 0.
    const orientation = toward > 0 ? '+' : '-';
    const lane = toward > 0 ? -1 : 1;
    if (control === 'stop_signs') {
      // East-west streets are the priority roads (306); north-south traffic stops (294 and 206).
      if (heading % 2 === 0) signals.push(signal(lightId, at, -toward * kerb, orientation, 306, { height: 0.6, width: 0.6, zOffset: 2 }, lane));
      else {
        signals.push(signal(lineId, at, -toward * laneWidth / 2, orientation, 294, { height: 0.02, width: laneWidth }, lane));
        signals.push(signal(lightId, at, -toward * kerb, orientation, 206, { height: 0.75, width: 0.75, zOffset: 1.8 }, lane));
      }
      return;
    }
    signals.push(signal(lineId, at, -toward * laneWidth / 2, orientation, 294, { height: 0.02, width: laneWidth }, lane));
    if (!protectedLefts) signals.push(signal(lightId, at, -toward * kerb, orientation, 1000001, { height: 3.2, width: 0.45 }, lane));
    else {
      // Straight-and-right arrows on the kerb, and the left arrow 0.6 m nearer the road: left of it as the driver sees them.
      signals.push(signal(lightId, at, -toward * kerb, orientation, 1000011, { height: 3.2, width: 0.45, subtype: 50 }, lane));
      signals.push(signal(leftId, at, -toward * (kerb - 0.6), orientation, 1000011, { height: 3.2, width: 0.45, subtype: 10 }, lane));
    }
    // The walkers' heads face across the road, one on each kerb of the crosswalk.
    signals.push(signal(walkIds[0], crosswalkS, kerb, orientation, 1000002, { height: 2.6, width: 0.35, hOffset: -toward * Math.PI / 2 }));
    signals.push(signal(walkIds[1], crosswalkS, -kerb, orientation, 1000002, { height: 2.6, width: 0.35, hOffset: toward * Math.PI / 2 }));
  };
  if (from) end(STOP_LINE_SETBACK, -1, `${id}11`, [`${id}13`, `${id}14`], `${id}17`, CROSSWALK_WIDTH / 2 + 0.5, `${id}21`);
  if (to) end(length - STOP_LINE_SETBACK, 1, `${id}12`, [`${id}15`, `${id}16`], `${id}18`, length - CROSSWALK_WIDTH / 2 - 0.5, `${id}22`);
  return xml('road', { name: `street ${id}`, length, id, junction: '-1' }, [
    xml('link', {}, link),
    xml('type', { s: 0, type: 'town' }, [xml('speed', { max: 50, unit: 'km/h' })]),
    xml('planView', {}, [xml('geometry', { s: 0, x, y, hdg: (heading * Math.PI) / 2, length }, [xml('line')])]),
    xml('elevationProfile', {}, [xml('elevation', { s: 0, a: 0, b: 0, c: 0, d: 0 })]),
    xml('lateralProfile'),
    xml('lanes', {}, [xml('laneSection', { s: 0 }, [
      xml('left', {}, [lane(2, 'sidewalk', sidewalkWidth), lane(1, 'driving', laneWidth, 'solid')]),
      xml('center', {}, [xml('lane', { id: 0, type: 'none', level: 'false' }, [xml('link'), xml('roadMark', { sOffset: 0, type: 'broken', weight: 'standard', color: 'standard', width: 0.15 })])]),
      xml('right', {}, [lane(-1, 'driving', laneWidth, 'solid'), lane(-2, 'sidewalk', sidewalkWidth)]),
    ])]),
    ...(objects.length > 0 ? [xml('objects', {}, objects)] : []),
    ...(signals.length > 0 ? [xml('signals', {}, signals)] : []),
  ]);
}

/**
 * A one-lane road through a junction from an incoming arm to an outgoing arm. Its reference
 * line runs from the arm's centre line at the junction edge, so lane -1 (right of it) lines
 * up with the incoming lane and the outgoing lane: straight across, or a quarter circle of
 * radius JUNCTION_HALF about the junction's corner for a turn.
 */
function connectingRoad(id: string, junction: string, cx: number, cy: number, incoming: Arm, outgoing: Arm, laneWidth: number): XmlNode {
  const [ix, iy] = UNIT[incoming.direction];
  const x = cx + JUNCTION_HALF * ix;
  const y = cy + JUNCTION_HALF * iy;
  const hdg = ((incoming.direction + 2) % 4) * (Math.PI / 2);
  // The change of heading from entering (towards the centre) to leaving along `outgoing`:
  // 0 straight across, +90° a left turn, -90° a right turn.
  const turn = normalizeAngle(outgoing.direction * (Math.PI / 2) - hdg);
  const straight = Math.abs(turn) < 1e-9;
  const length = straight ? 2 * JUNCTION_HALF : (Math.PI / 2) * JUNCTION_HALF;
  const geometry = straight ? xml('line') : xml('arc', { curvature: Math.sign(turn) / JUNCTION_HALF });
  return xml('road', { name: `connection ${incoming.road} to ${outgoing.road}`, length, id, junction }, [
    xml('link', {}, [
      xml('predecessor', { elementType: 'road', elementId: incoming.road, contactPoint: incoming.startsHere ? 'start' : 'end' }),
      xml('successor', { elementType: 'road', elementId: outgoing.road, contactPoint: outgoing.startsHere ? 'start' : 'end' }),
    ]),
    xml('type', { s: 0, type: 'town' }, [xml('speed', { max: 30, unit: 'km/h' })]),
    xml('planView', {}, [xml('geometry', { s: 0, x, y, hdg, length }, [geometry])]),
    xml('elevationProfile', {}, [xml('elevation', { s: 0, a: 0, b: 0, c: 0, d: 0 })]),
    xml('lateralProfile'),
    xml('lanes', {}, [xml('laneSection', { s: 0 }, [
      xml('center', {}, [xml('lane', { id: 0, type: 'none', level: 'false' }, [xml('link')])]),
      xml('right', {}, [lane(-1, 'driving', laneWidth, undefined, [
        xml('predecessor', { id: incoming.startsHere ? 1 : -1 }),
        xml('successor', { id: outgoing.startsHere ? -1 : 1 }),
      ])]),
    ])]),
  ]);
}

function normalizeAngle(a: number): number {
  return Math.atan2(Math.sin(a), Math.cos(a));
}
