import { UserError } from '../core/errors.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import { governedLanes, stopLinesOf, type Signal } from '../map/Signal.js';

/** What a signal shows. Signs (static signals) have no state. */
export type SignalState = 'red' | 'amber' | 'green' | 'off';

/**
 * The fixed-time plan of a junction's controllers: each in turn gets `green`, then `amber`,
 * then every controller shows red for `allRed` before the next one's green (seconds).
 */
export interface SignalTiming {
  green: number;
  amber: number;
  allRed: number;
}

/**
 * Defaults of the fixed-time plan: 3 s of amber, the shortest yellow change interval the
 * ITE's kinematic formula gives at 50 km/h (Institute of Transportation Engineers, "Traffic
 * Signal Timing Manual", 2nd ed., 2015, §5.4: Y = t + v / (2a), t = 1 s, a = 3.0 m/s²:
 * 1 + 13.9 / 6 = 3.3 s), 2 s all-red clearance, and 20 s of green.
 */
export const DEFAULT_SIGNAL_TIMING: SignalTiming = { green: 20, amber: 3, allRed: 2 };

export interface TrafficSignalOptions {
  timing?: Partial<SignalTiming>;
  /**
   * Start offsets (s) by junction id (or controller id for one outside a junction): where in its
   * cycle each plan is at time 0. Absent: drawn from the seed, so that junctions are not in step.
   */
  offsets?: Record<string, number>;
}

/** Where vehicles stop for a light: on `lanes` of `road` at `s`, driven toward the light. */
export interface SignalStop {
  signalId: string;
  roadId: string;
  lanes: number[];
  s: number;
}

interface Plan {
  /** Seconds into the plan's cycle at time 0. */
  offset: number;
  cycle: number;
  /** When, within the cycle, this controller's green starts. */
  start: number;
}

/**
 * The state of every controlled signal at any time: fixed-time plans per junction (from the
 * map's junction controller lists, in their sequence order) or per lone controller, vehicle
 * lights green → amber → red, pedestrian lights green during their controller's green and red
 * otherwise. A state is a pure function of the time, so runs are deterministic per tick; a
 * scenario may override a signal's state (OpenSCENARIO TrafficSignalStateAction) or a
 * controller's phase.
 */
export class TrafficSignals {
  readonly timing: SignalTiming;
  private readonly plans = new Map<string, Plan>();
  private readonly controllerOf = new Map<string, string>();
  private readonly signals = new Map<string, Signal>();
  private readonly overrides = new Map<string, SignalState>();
  readonly stops: SignalStop[];

  constructor(network: RoadNetwork, seed: number, options: TrafficSignalOptions = {}) {
    this.timing = { ...DEFAULT_SIGNAL_TIMING, ...options.timing };
    const { green, amber, allRed } = this.timing;
    if (!(green > 0) || !(amber >= 0) || !(allRed >= 0)) throw new UserError(`signal timing: green must be > 0, amber and all-red ≥ 0 (got ${green}, ${amber}, ${allRed})`);
    const slot = green + amber + allRed;
    for (const road of network.roads) for (const signal of road.signals) if (signal.dynamic) this.signals.set(signal.id, signal);
    const planned = new Set<string>();
    for (const junction of network.junctions) {
      const list = [...(junction.controllers ?? [])].sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
      if (list.length === 0) continue;
      const cycle = list.length * slot;
      const offset = options.offsets?.[junction.id] ?? drawOffset(seed, junction.id, cycle);
      list.forEach((c, i) => {
        this.plans.set(c.id, { offset, cycle, start: i * slot });
        planned.add(c.id);
      });
    }
    for (const controller of network.controllers) {
      // A controller in no junction alternates with an imagined cross street of the same plan.
      if (!planned.has(controller.id)) {
        const cycle = 2 * slot;
        this.plans.set(controller.id, { offset: options.offsets?.[controller.id] ?? drawOffset(seed, `controller ${controller.id}`, cycle), cycle, start: 0 });
      }
      for (const control of controller.controls) this.controllerOf.set(control.signalId, controller.id);
    }
    this.stops = vehicleStops(network, (id) => this.controllerOf.has(id));
  }

  /** Whether the map has any signal whose state changes. */
  get active(): boolean {
    return this.controllerOf.size > 0 || this.overrides.size > 0;
  }

  /** The state of a dynamic signal at `time` (s); undefined for a sign or an unknown id. */
  stateAt(signalId: string, time: number): SignalState | undefined {
    const forced = this.overrides.get(signalId);
    if (forced) return forced;
    const signal = this.signals.get(signalId);
    if (!signal) return undefined;
    const controller = this.controllerOf.get(signalId);
    const plan = controller === undefined ? undefined : this.plans.get(controller);
    if (!plan) return 'off';
    const local = mod(time + plan.offset - plan.start, plan.cycle);
    if (local < this.timing.green) return 'green';
    if (signal.kind === 'pedestrian_light') return 'red';
    return local < this.timing.green + this.timing.amber ? 'amber' : 'red';
  }

  /** Every controlled signal's state at `time`, by id (ascending). */
  statesAt(time: number): { id: string; state: SignalState }[] {
    const ids = [...new Set([...this.controllerOf.keys(), ...this.overrides.keys()])].filter((id) => this.signals.has(id)).sort();
    return ids.map((id) => ({ id, state: this.stateAt(id, time)! }));
  }

  /** Holds a signal in a state until cleared (undefined): OpenSCENARIO TrafficSignalStateAction. */
  override(signalId: string, state: SignalState | undefined): void {
    if (!this.signals.has(signalId)) throw new UserError(`no dynamic signal "${signalId}" in the map`);
    if (state === undefined) this.overrides.delete(signalId);
    else this.overrides.set(signalId, state);
  }
}

/**
 * Where traffic stops for each controlled vehicle light: on the lanes it governs, at the stop
 * line on those lanes within 40 m before it (in the lanes' direction of travel), else at the
 * light itself.
 */
function vehicleStops(network: RoadNetwork, controlled: (id: string) => boolean): SignalStop[] {
  const stops: SignalStop[] = [];
  for (const road of network.roads) {
    const lines = stopLinesOf(road);
    for (const signal of road.signals) {
      if (signal.kind !== 'traffic_light' || !controlled(signal.id)) continue;
      for (const lane of governedLanes(road, signal)) {
        const forward = road.laneRunsWithS(lane);
        // Before the light, as the lane's traffic meets it.
        const before = lines.filter((l) => l.lanes.includes(lane) && (forward ? l.s <= signal.s && l.s >= signal.s - STOP_LINE_REACH : l.s >= signal.s && l.s <= signal.s + STOP_LINE_REACH));
        const nearest = before.sort((a, b) => Math.abs(a.s - signal.s) - Math.abs(b.s - signal.s))[0];
        const s = nearest ? nearest.s : signal.s;
        const same = stops.find((x) => x.signalId === signal.id && x.roadId === road.id && x.s === s);
        if (same) same.lanes.push(lane);
        else stops.push({ signalId: signal.id, roadId: road.id, lanes: [lane], s });
      }
    }
  }
  return stops;
}

/** How far before a light its stop line may lie (m). */
const STOP_LINE_REACH = 40;

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

/** A plan's start offset in [0, cycle) from the seed and a name: the same for the same seed, whatever else the map holds. */
function drawOffset(seed: number, name: string, cycle: number): number {
  let h = (seed >>> 0) ^ 0x9e3779b9;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  // Whole tenths of a second, so that phase changes fall on the simulation's ticks.
  return Math.floor((h / 4294967296) * cycle * 10) / 10;
}
