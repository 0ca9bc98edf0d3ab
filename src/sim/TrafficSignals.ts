import { UserError } from '../core/errors.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import { governedLanes, stopLineBefore, stopLinesOf, type LampColour, type Signal, type Turn } from '../map/Signal.js';
import type { SignalControllerPlan, SignalSetup } from '../scenario/Scenario.js';

/**
 * What a signal shows. Signs (static signals) have no state. A flashing light is a state of
 * its own (its lamp goes on and off by `flashLit`): flashing red is a stop sign, flashing amber
 * a warning that leaves the junction to its signs.
 */
export type SignalState = 'red' | 'amber' | 'green' | 'off' | 'flashing_red' | 'flashing_amber';

/**
 * Whether a flashing lamp is lit at `tNs` (ns of simulation time): 60 flashes a minute, lit for
 * the first half of each second: the MUTCD's flashing operation (FHWA, Manual on Uniform
 * Traffic Control Devices, 2009, §4D.30: 50 to 60 flashes a minute, lit 1/2 to 2/3 of the cycle).
 */
export function flashLit(tNs: number): boolean {
  return ((tNs % 1e9) + 1e9) % 1e9 < 5e8;
}

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

/** Where vehicles stop for a light: on `lanes` of `road` at `s`, driven toward the light. */
export interface SignalStop {
  signalId: string;
  roadId: string;
  lanes: number[];
  s: number;
  /** An arrow light's movements: it stops only traffic that turns so through the junction ahead (absent: all). */
  turns?: Turn[];
}

/** A plan's clock: seconds into its cycle at time 0 (shared by a junction's controllers). */
interface Clock {
  offset: number;
}

/** A map controller in a junction's fixed-time plan: its green starts `start` s into the cycle. */
interface FixedPlan {
  kind: 'fixed';
  clock: Clock;
  cycle: number;
  start: number;
}

/** A controller with phases of its own (a scenario's): states by signal in each phase. */
interface PhasePlan {
  kind: 'phases';
  clock: Clock;
  cycle: number;
  phases: { name: string; begin: number; duration: number; states: Map<string, SignalState> }[];
}

type Plan = FixedPlan | PhasePlan;

/**
 * A state written as a word ("red", "amber" or "yellow", "green", "off", "flashing_red",
 * "flashing_amber" or "flashing_yellow", a space for the underscore too) or lamp by lamp top to
 * bottom ("on;off;off", "off;flashing;off") against the head's lamps (red-amber-green when
 * unknown): the steady lamps decide if any is on (any red is red, red-amber too, else amber,
 * else green); else a flashing red is flashing_red, a flashing amber flashing_amber, a flashing
 * green (a green about to end, as in Austria) green; none lit is off.
 */
export function parseSignalState(text: string, lamps: readonly LampColour[]): SignalState | undefined {
  const t = text.trim().toLowerCase().replace(/\s+/g, '_').replace('yellow', 'amber');
  if (t === 'red' || t === 'green' || t === 'off' || t === 'amber' || t === 'flashing_red' || t === 'flashing_amber') return t;
  const parts = t.split(';').map((p) => p.trim().replace(/^_+|_+$/g, ''));
  if (parts.length < 2 || parts.some((p) => p !== 'on' && p !== 'off' && p !== 'flashing')) return undefined;
  const heads: readonly LampColour[] = lamps.length === parts.length ? lamps : parts.length === 2 ? ['red', 'green'] : ['red', 'amber', 'green'];
  const steady = heads.filter((_, i) => parts[i] === 'on');
  if (steady.length > 0) return steady.includes('red') ? 'red' : steady.includes('amber') ? 'amber' : 'green';
  const flashing = heads.filter((_, i) => parts[i] === 'flashing');
  if (flashing.length === 0) return 'off';
  return flashing.includes('red') ? 'flashing_red' : flashing.includes('amber') ? 'flashing_amber' : 'green';
}

/**
 * The state of every controlled signal at any time: fixed-time plans per junction (from the
 * map's junction controller lists, in their sequence order) or per lone controller, vehicle
 * lights green → amber → red, pedestrian lights green during their controller's green and red
 * otherwise; and a scenario's own controllers with phases (OpenSCENARIO's
 * TrafficSignalController), which take over the signals they name. A state is a function of
 * the time and of the storyboard's settings (a held state, a phase started), so runs are
 * deterministic per tick.
 */
export class TrafficSignals {
  readonly timing: SignalTiming;
  private readonly plans = new Map<string, Plan>();
  private readonly controllerOf = new Map<string, string>();
  private readonly signals = new Map<string, Signal>();
  private readonly overrides = new Map<string, SignalState>();
  readonly stops: SignalStop[];

  constructor(network: RoadNetwork, seed: number, setup: SignalSetup = {}) {
    this.timing = { ...DEFAULT_SIGNAL_TIMING, ...setup.timing };
    const { green, amber, allRed } = this.timing;
    if (!(green > 0) || !(amber >= 0) || !(allRed >= 0)) throw new UserError(`signal timing: green must be > 0, amber and all-red ≥ 0 (got ${green}, ${amber}, ${allRed})`);
    const slot = green + amber + allRed;
    for (const road of network.roads) for (const signal of road.signals) if (signal.dynamic) this.signals.set(signal.id, signal);
    for (const junction of network.junctions) {
      const list = [...(junction.controllers ?? [])].sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
      if (list.length === 0) continue;
      const cycle = list.length * slot;
      const clock = { offset: setup.offsets?.[junction.id] ?? drawOffset(seed, junction.id, cycle) };
      list.forEach((c, i) => this.plans.set(c.id, { kind: 'fixed', clock, cycle, start: i * slot }));
    }
    for (const controller of network.controllers) {
      // A controller in no junction alternates with an imagined cross street of the same plan.
      if (!this.plans.has(controller.id)) {
        const cycle = 2 * slot;
        this.plans.set(controller.id, { kind: 'fixed', clock: { offset: setup.offsets?.[controller.id] ?? drawOffset(seed, `controller ${controller.id}`, cycle) }, cycle, start: 0 });
      }
      for (const control of controller.controls) this.controllerOf.set(control.signalId, controller.id);
    }
    for (const plan of setup.controllers ?? []) this.addPhasePlan(plan, setup.controllers ?? []);
    this.stops = vehicleStops(network, (id) => this.controllerOf.has(id));
  }

  private addPhasePlan(plan: SignalControllerPlan, all: readonly SignalControllerPlan[]): void {
    if (plan.phases.length === 0) throw new UserError(`signal controller "${plan.id}" has no phases`);
    let begin = 0;
    const phases = plan.phases.map((p) => {
      if (!(p.duration > 0)) throw new UserError(`signal controller "${plan.id}": phase "${p.name}" needs a duration > 0 (got ${p.duration})`);
      const states = new Map<string, SignalState>();
      for (const { signal, state } of p.states) {
        states.set(signal, this.parse(signal, state, `signal controller "${plan.id}", phase "${p.name}"`));
        this.controllerOf.set(signal, plan.id);
      }
      const phase = { name: p.name, begin, duration: p.duration, states };
      begin += p.duration;
      return phase;
    });
    // Delays add up along the references (a reference chain, cut at a loop).
    let delay = 0;
    const seen = new Set<string>();
    for (let c: SignalControllerPlan | undefined = plan; c && !seen.has(c.id); c = all.find((x) => x.id === c!.reference)) {
      seen.add(c.id);
      delay += c.delay ?? 0;
    }
    this.plans.set(plan.id, { kind: 'phases', clock: { offset: -delay }, cycle: begin, phases });
  }

  private parse(signalId: string, text: string, where: string): SignalState {
    const signal = this.signals.get(signalId);
    if (!signal) throw new UserError(`${where}: no dynamic signal "${signalId}" in the map (dynamic signals: ${[...this.signals.keys()].slice(0, 20).join(', ') || 'none'})`);
    const state = parseSignalState(text, signal.lamps);
    if (!state) throw new UserError(`${where}: signal "${signalId}" cannot show "${text}": expected red, amber, green, off, flashing_red, flashing_amber, or its lamps top to bottom as on/off/flashing (${signal.lamps.length || 3} of them)`);
    return state;
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
    if (plan.kind === 'phases') return this.phase(plan, time).states.get(signalId) ?? 'off';
    const local = cycleTime(time + plan.clock.offset - plan.start, plan.cycle);
    if (local < this.timing.green) return 'green';
    if (signal.kind === 'pedestrian_light') return 'red';
    return local < this.timing.green + this.timing.amber ? 'amber' : 'red';
  }

  /** The ids of the state table, sorted: kept until a held state changes them (world states ask every tick). */
  private controlledIds(): string[] {
    return (this.ids ??= [...new Set([...this.controllerOf.keys(), ...this.overrides.keys()])].filter((id) => this.signals.has(id)).sort());
  }
  private ids: string[] | undefined;

  /**
   * Every controlled signal's state at `time` as a table by id (a world state's `signals`):
   * the last table again while nothing changed, since states change every few seconds and
   * states are taken every tick.
   */
  stateTable(time: number): Readonly<Record<string, SignalState>> {
    const ids = this.controlledIds(), last = this.lastTable;
    // Compared in place (no allocation per tick): the same ids, each showing what it showed.
    if (last && last.ids === ids && ids.every((id) => last.table[id] === this.stateAt(id, time))) return last.table;
    const table = Object.freeze(Object.fromEntries(ids.map((id) => [id, this.stateAt(id, time)!])));
    this.lastTable = { ids, table };
    return table;
  }
  private lastTable: { ids: string[]; table: Readonly<Record<string, SignalState>> } | undefined;

  /** Whether a signal shows the state written as `text` (a condition's). */
  showing(signalId: string, text: string, time: number): boolean {
    const signal = this.signals.get(signalId);
    return signal !== undefined && parseSignalState(text, signal.lamps) === this.stateAt(signalId, time);
  }

  /** Holds a signal in a state (OpenSCENARIO TrafficSignalStateAction); "auto" gives it back to its controller. */
  setState(signalId: string, state: string): void {
    if (state === 'auto') this.overrides.delete(signalId);
    else this.overrides.set(signalId, this.parse(signalId, state, 'signal state'));
    this.ids = undefined;
  }

  /** The phase a controller is in: a scenario controller's phase name, or "green", "amber", "red" of a fixed-time one. */
  phaseAt(controllerId: string, time: number): string | undefined {
    const plan = this.plans.get(controllerId);
    if (!plan) return undefined;
    if (plan.kind === 'phases') return this.phase(plan, time).name;
    const local = cycleTime(time + plan.clock.offset - plan.start, plan.cycle);
    return local < this.timing.green ? 'green' : local < this.timing.green + this.timing.amber ? 'amber' : 'red';
  }

  /**
   * Starts a controller's phase now (OpenSCENARIO TrafficSignalControllerAction): its cycle
   * goes on from there. A fixed-time controller's phases are "green", "amber" and "red"; its
   * junction's other controllers keep their place in the shared cycle.
   */
  setPhase(controllerId: string, phase: string, time: number): void {
    const plan = this.plans.get(controllerId);
    if (!plan) throw new UserError(`no signal controller "${controllerId}" (controllers: ${[...this.plans.keys()].slice(0, 20).join(', ') || 'none'})`);
    let begin: number | undefined;
    if (plan.kind === 'phases') begin = plan.phases.find((p) => p.name === phase)?.begin;
    else begin = phase === 'green' ? plan.start : phase === 'amber' ? plan.start + this.timing.green : phase === 'red' ? plan.start + this.timing.green + this.timing.amber : undefined;
    if (begin === undefined) {
      const names = plan.kind === 'phases' ? plan.phases.map((p) => p.name) : ['green', 'amber', 'red'];
      throw new UserError(`signal controller "${controllerId}" has no phase "${phase}" (phases: ${names.join(', ')})`);
    }
    plan.clock.offset = begin - time;
  }

  private phase(plan: PhasePlan, time: number): PhasePlan['phases'][number] {
    const local = cycleTime(time + plan.clock.offset, plan.cycle);
    let k = plan.phases.length - 1;
    while (k > 0 && plan.phases[k].begin > local) k--;
    return plan.phases[k];
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
        const s = stopLineBefore(lines, lane, forward, signal.s, STOP_LINE_REACH)?.s ?? signal.s;
        const same = stops.find((x) => x.signalId === signal.id && x.roadId === road.id && x.s === s);
        if (same) same.lanes.push(lane);
        else stops.push({ signalId: signal.id, roadId: road.id, lanes: [lane], s, ...(signal.turns ? { turns: signal.turns } : {}) });
      }
    }
  }
  return stops;
}

/** How far before a light its stop line may lie (m). */
const STOP_LINE_REACH = 40;

/**
 * Time within a cycle, rounded to the microsecond first: simulation times are sums of steps
 * (9 s may be 8.999999999), and a phase that starts on a tick must start on it.
 */
function cycleTime(t: number, cycle: number): number {
  const a = Math.round(t * 1e6) / 1e6;
  return ((a % cycle) + cycle) % cycle;
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
