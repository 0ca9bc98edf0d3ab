/**
 * Traffic signals and signs of an OpenDRIVE map (`<signals>` of a road, `<controller>`s of the
 * file): what they are (their kind, from country, type and subtype), where they stand (road
 * coordinates; the world pose comes from the road) and which lanes they govern.
 *
 * Kinds from the codes of Germany's StVO, which OpenDRIVE's own country code "OpenDRIVE" uses
 * (ASAM OpenDRIVE 1.6+, signal catalogue): 205 give way, 206 stop, 274 maximum speed (value and
 * unit), 294 stop line, 306 priority road; the traffic lights 10000xx with the lamps listed top
 * to bottom as the reference player esmini reads them (RoadManager.hpp, its traffic-light type
 * table): 1000001 red/amber/green, 1000002 pedestrian red/green, 1000011 (subtypes 10-50) arrows
 * red/amber/green, 1000013 bicycle red/green, 1000007 pedestrian and bicycle red/green, 1000009
 * two lamps by subtype. Anything else is kept as a generic sign, with a warning naming its line.
 */

import type { Road } from './Road.js';

export type SignalKind = 'traffic_light' | 'pedestrian_light' | 'stop_sign' | 'give_way_sign' | 'speed_limit' | 'stop_line' | 'priority_road' | 'sign';

export const SIGNAL_KINDS: readonly SignalKind[] = ['traffic_light', 'pedestrian_light', 'stop_sign', 'give_way_sign', 'speed_limit', 'stop_line', 'priority_road', 'sign'];

/** Whether a kind is a light (a traffic or walk light, whose state changes), not a sign or a marking. */
export function isLightKind(kind: string): boolean {
  return kind === 'traffic_light' || kind === 'pedestrian_light';
}

/** A movement through a junction, as an arrow light governs it. */
export type Turn = 'left' | 'straight' | 'right';

/** The movements an arrow light (1000011) governs, by subtype (esmini's table: left, right, straight, straight-left, straight-right arrows). */
const ARROWS: Record<string, Turn[]> = { '10': ['left'], '20': ['right'], '30': ['straight'], '40': ['straight', 'left'], '50': ['straight', 'right'] };

export type LampColour = 'red' | 'amber' | 'green';

/** Which way a signal faces: for traffic along +s, along −s, or both (OpenDRIVE orientation "+", "-", "none"). */
export type SignalOrientation = '+' | '-' | 'none';

/** The lanes a signal is valid for, from lane `from` to lane `to` (OpenDRIVE <validity>). */
export interface LaneValidity {
  fromLane: number;
  toLane: number;
}

export interface Signal {
  /** The id as written; unique per road (maps may reuse ids across roads). */
  id: string;
  roadId: string;
  name: string;
  kind: SignalKind;
  country: string;
  type: string;
  subtype: string;
  /** The value (e.g. a speed limit) and its unit, when given. */
  value?: number;
  unit?: string;
  /** Lamps top to bottom, for lights; empty for signs. */
  lamps: LampColour[];
  /** The movements an arrow light governs (1000011 by subtype); absent: all of them (a round light, a sign). */
  turns?: Turn[];
  s: number;
  t: number;
  zOffset: number;
  height: number;
  width: number;
  orientation: SignalOrientation;
  /** Heading offset from the orientation's direction (rad), pitch and roll (rad). */
  hOffset: number;
  pitch: number;
  roll: number;
  /** Whether its state changes at run time (lights: yes). */
  dynamic: boolean;
  validity: LaneValidity[];
  line: number;
}

/** A signal placed again on another road (OpenDRIVE <signalReference>): the same head governs lanes there too. */
export interface SignalReference {
  signalId: string;
  roadId: string;
  s: number;
  t: number;
  orientation: SignalOrientation;
  validity: LaneValidity[];
  line: number;
}

/** A signal controller: the signals switched together (OpenDRIVE <controller> of the file). */
export interface SignalController {
  id: string;
  name: string;
  /** Order of the controllers of one junction, when given. */
  sequence?: number;
  controls: { signalId: string; type: string }[];
  line: number;
}

/** A stop line's place on its road: where the vehicles of `lanes` stop. */
export interface StopLine {
  signalId: string;
  roadId: string;
  s: number;
  lanes: number[];
  line: number;
}

const RYG: LampColour[] = ['red', 'amber', 'green'];
const RG: LampColour[] = ['red', 'green'];
/** Traffic lights by type (and type.subtype where the subtype changes the lamps): esmini's table. */
const LIGHTS: Record<string, { kind: SignalKind; lamps: LampColour[] }> = {
  '1000001': { kind: 'traffic_light', lamps: RYG },
  '1000002': { kind: 'pedestrian_light', lamps: RG },
  '1000002.30': { kind: 'pedestrian_light', lamps: ['red', 'red', 'green'] },
  '1000011': { kind: 'traffic_light', lamps: RYG },
  '1000013': { kind: 'traffic_light', lamps: RG },
  '1000013.10': { kind: 'traffic_light', lamps: RYG },
  '1000007': { kind: 'pedestrian_light', lamps: RG },
  '1000009.10': { kind: 'traffic_light', lamps: ['red', 'amber'] },
  '1000009.20': { kind: 'traffic_light', lamps: ['amber', 'green'] },
  '1000009.30': { kind: 'traffic_light', lamps: RG },
};
const SIGNS: Record<string, SignalKind> = { '205': 'give_way_sign', '206': 'stop_sign', '274': 'speed_limit', '294': 'stop_line', '306': 'priority_road' };
/** Country codes whose type numbers are the StVO's: OpenDRIVE's own catalogue and Germany (ISO 3166 alpha-2 and alpha-3). */
const STVO_COUNTRIES = new Set(['opendrive', 'de', 'deu', '']);

/** The kind and lamps of a signal from its country, type and subtype (and an arrow light's turns); undefined when unknown. */
export function signalKind(country: string, type: string, subtype: string): { kind: SignalKind; lamps: LampColour[]; turns?: Turn[] } | undefined {
  if (!STVO_COUNTRIES.has(country.toLowerCase())) return undefined;
  const light = LIGHTS[`${type}.${subtype}`] ?? LIGHTS[type];
  const arrows = type === '1000011' ? ARROWS[subtype] : undefined;
  if (light) return { kind: light.kind, lamps: [...light.lamps], ...(arrows ? { turns: [...arrows] } : {}) };
  const sign = SIGNS[type];
  return sign ? { kind: sign, lamps: [] } : undefined;
}

/** A speed limit's value in m/s (unit km/h unless stated: the StVO's), or undefined when it has none. */
export function speedLimitOf(signal: Pick<Signal, 'kind' | 'value' | 'unit'>): number | undefined {
  if (signal.kind !== 'speed_limit' || signal.value === undefined || !(signal.value > 0)) return undefined;
  const unit = signal.unit ?? 'km/h';
  const factor = unit === 'm/s' ? 1 : unit === 'km/h' ? 1 / 3.6 : unit === 'mph' ? 0.44704 : undefined;
  return factor === undefined ? undefined : signal.value * factor;
}

/** The lanes of a validity list at one lane section (lane ids from `from` to `to`, both included, 0 left out). */
export function lanesOfValidity(validity: readonly LaneValidity[]): number[] {
  const lanes = new Set<number>();
  for (const v of validity) {
    const lo = Math.min(v.fromLane, v.toLane), hi = Math.max(v.fromLane, v.toLane);
    for (let id = lo; id <= hi; id++) if (id !== 0) lanes.add(id);
  }
  return [...lanes].sort((a, b) => a - b);
}

/**
 * The driving lanes a signal standing at s faces: orientation "+" the lanes driven along +s
 * (the right lanes under right-hand traffic, the left ones under left-hand), "-" the others,
 * "none" both; ids ascending.
 */
export function facedDrivingLanes(road: Road, s: number, orientation: SignalOrientation): number[] {
  const section = road.sectionAt(s);
  const alongS = road.rule === 'LHT' ? section.left : section.right;
  const againstS = road.rule === 'LHT' ? section.right : section.left;
  const faced = orientation === '+' ? alongS : orientation === '-' ? againstS : [...alongS, ...againstS];
  return faced.filter((l) => l.type === 'driving').map((l) => l.id).sort((a, b) => a - b);
}

/** The lanes a signal governs: those its validity names, else the driving lanes it faces. */
export function governedLanes(road: Road, signal: Pick<Signal, 's' | 'orientation' | 'validity'>): number[] {
  const lanes = lanesOfValidity(signal.validity);
  return lanes.length > 0 ? lanes : facedDrivingLanes(road, signal.s, signal.orientation);
}

/** The stop lines of a road: its stop-line signals (StVO 294), each on the lanes it governs. */
export function stopLinesOf(road: Road): StopLine[] {
  return road.signals
    .filter((signal) => signal.kind === 'stop_line')
    .map((signal) => ({ signalId: signal.id, roadId: road.id, s: signal.s, lanes: governedLanes(road, signal), line: signal.line }));
}

/**
 * Where a signal stands: its base on the road surface at (s, t) and the heading its face looks
 * along, toward the traffic it governs: against the road's heading for orientation "+" (or
 * "none"), along it for "-", turned by hOffset.
 */
export function signalPlacement(road: Road, signal: Pick<Signal, 's' | 't' | 'orientation' | 'hOffset'>): { x: number; y: number; z: number; facing: number } {
  const pose = road.pose(signal.s, signal.t);
  const facing = pose.heading + (signal.orientation === '-' ? 0 : Math.PI) + signal.hOffset;
  return { x: pose.x, y: pose.y, z: pose.z, facing: Math.atan2(Math.sin(facing), Math.cos(facing)) };
}

/**
 * The stop line on `lane` nearest a signal at `signalS` among those before it as the lane's
 * traffic meets it (`forward`: the lane is driven along +s), within `reach` m of it, or up to
 * `slack` m past it; undefined when there is none.
 */
export function stopLineBefore(lines: readonly StopLine[], lane: number, forward: boolean, signalS: number, reach: number, slack = 0): StopLine | undefined {
  let best: StopLine | undefined;
  for (const line of lines) {
    if (!line.lanes.includes(lane)) continue;
    const before = forward ? signalS - line.s : line.s - signalS;
    if (before < -slack || before > reach) continue;
    if (!best || Math.abs(line.s - signalS) < Math.abs(best.s - signalS)) best = line;
  }
  return best;
}

/** Least heading change (rad) a junction road's lane must make to count as a turn: 30 degrees. */
const TURNING = Math.PI / 6;

/**
 * The movement a lane of a junction's connecting road makes: its heading change over the road
 * in its direction of travel, left past +30 degrees, right past -30, else straight.
 */
export function turnThrough(road: Road, lane: number): Turn {
  const h0 = road.pose(0, 0).heading, h1 = road.pose(road.length, 0).heading;
  const change = Math.atan2(Math.sin(h1 - h0), Math.cos(h1 - h0)) * (road.laneRunsWithS(lane) ? 1 : -1);
  return change > TURNING ? 'left' : change < -TURNING ? 'right' : 'straight';
}
