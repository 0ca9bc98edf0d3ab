import { buildScenario, type ScenarioDefinition } from './definition.js';
import type { ActionWithName, ConditionEdge, ConditionSpec, Dynamics, Position, Rule, Scenario, Weather } from './Scenario.js';

/**
 * TypeScript authoring: `export default scenario({...})` in a `.ts` file, with the same
 * structure as the YAML form, fully typed (autocompletion for kinds, controllers, conditions
 * and actions), plus small helpers for units, positions, conditions and actions.
 * A function form receives the parameter values: `scenario({ parameters }, (p) => ({...}))`.
 */
export interface ScenarioModule {
  readonly kind: 'roadcast-scenario';
  readonly definition: ScenarioDefinition | ((params: Record<string, number | string>) => ScenarioDefinition);
  build(file: string, params?: Record<string, string | number>): Scenario;
}

export function scenario(definition: ScenarioDefinition): ScenarioModule;
export function scenario(declaration: Pick<ScenarioDefinition, 'parameters'>, make: (params: Record<string, number | string>) => ScenarioDefinition): ScenarioModule;
export function scenario(a: ScenarioDefinition | Pick<ScenarioDefinition, 'parameters'>, make?: (params: Record<string, number | string>) => ScenarioDefinition): ScenarioModule {
  return {
    kind: 'roadcast-scenario',
    definition: make ?? (a as ScenarioDefinition),
    build(file, params = {}) {
      if (!make) return buildScenario(a as ScenarioDefinition, { file, params });
      const values: Record<string, number | string> = {};
      for (const [name, raw] of Object.entries(a.parameters ?? {})) values[name] = typeof raw === 'object' ? raw.default : raw;
      for (const [name, raw] of Object.entries(params)) values[name] = typeof raw === 'string' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
      const def = make(values);
      // Substituted already; keep the declarations for sweeps and the recorded values.
      return buildScenario({ ...def, parameters: a.parameters }, { file, params });
    },
  };
}

export function isScenarioModule(value: unknown): value is ScenarioModule {
  return typeof value === 'object' && value !== null && (value as ScenarioModule).kind === 'roadcast-scenario';
}

/** Kilometres per hour to metres per second. */
export const kmh = (v: number): number => v / 3.6;

export const at = {
  lane: (road: string, lane: number, s: number, offset?: number): Position => ({ type: 'lane', road, lane, s, offset }),
  road: (road: string, s: number, t: number): Position => ({ type: 'road', road, s, t }),
  world: (x: number, y: number, heading = 0): Position => ({ type: 'world', x, y, heading }),
  relative: (entity: string, opts: { lanes?: number; ds?: number; offset?: number }): Position => ({ type: 'relativeLane', entity, dLane: opts.lanes ?? 0, ds: opts.ds ?? 0, offset: opts.offset }),
};

type Edge = { edge?: ConditionEdge; delay?: number; name?: string };

export const when = {
  time: (seconds: number, o: Edge = {}): ConditionSpec => ({ type: 'simulationTime', value: seconds, rule: 'greaterOrEqual', ...o }),
  headway: (entity: string, target: string, rule: Rule, value: number, o: Edge = {}): ConditionSpec => ({ type: 'timeHeadway', entity, target, value, rule, ...o }),
  ttc: (entity: string, target: string, rule: Rule, value: number, o: Edge = {}): ConditionSpec => ({ type: 'timeToCollision', entity, target, value, rule, ...o }),
  distance: (entity: string, target: string, rule: Rule, value: number, o: Edge & { distanceType?: 'longitudinal' | 'lateral' | 'euclidean'; freespace?: boolean } = {}): ConditionSpec => ({ type: 'relativeDistance', entity, target, value, rule, ...o }),
  speed: (entity: string, rule: Rule, value: number, o: Edge = {}): ConditionSpec => ({ type: 'speed', entity, value, rule, ...o }),
  reachS: (entity: string, road: string, s: number, o: Edge = {}): ConditionSpec => ({ type: 'roadS', entity, road, s, ...o }),
  reach: (entity: string, position: Position, tolerance: number, o: Edge = {}): ConditionSpec => ({ type: 'reachPosition', entity, position, tolerance, ...o }),
  collision: (entity: string, target?: string, o: Edge = {}): ConditionSpec => ({ type: 'collision', entity, target, ...o }),
  laneChangeDone: (entity: string, o: Edge = {}): ConditionSpec => ({ type: 'laneChangeDone', entity, ...o }),
  after: (element: string, seconds: number, o: Edge = {}): ConditionSpec => ({ type: 'timeSince', element, value: seconds, ...o }),
};

export const sinusoidal = (seconds: number): Dynamics => ({ shape: 'sinusoidal', dimension: 'time', value: seconds });
export const linearRate = (rate: number): Dynamics => ({ shape: 'linear', dimension: 'rate', value: rate });

export const act = {
  speed: (actor: string, target: number, dynamics?: Dynamics): ActionWithName => ({ type: 'speed', actor, target, dynamics }),
  laneChange: (actor: string, lane: number, dynamics: Dynamics = sinusoidal(3)): ActionWithName => ({ type: 'laneChange', actor, target: { lane }, dynamics }),
  laneChangeTo: (actor: string, relativeTo: string, lanes: number, dynamics: Dynamics = sinusoidal(3)): ActionWithName => ({ type: 'laneChange', actor, target: { relativeTo, value: lanes }, dynamics }),
  laneOffset: (actor: string, offset: number, dynamics?: Dynamics): ActionWithName => ({ type: 'laneOffset', actor, offset, dynamics }),
  brake: (actor: string, decel: number): ActionWithName => ({ type: 'speed', actor, target: 0, dynamics: linearRate(decel) }),
  stop: (actor: string, decel?: number): ActionWithName => ({ type: 'stop', actor, decel }),
  startWalking: (actor: string, speed: number, mode: 'walk' | 'cross' | 'jaywalk' | 'crosswalk' = 'cross'): ActionWithName => ({ type: 'startWalking', actor, speed, mode }),
  teleport: (actor: string, position: Position): ActionWithName => ({ type: 'teleport', actor, position }),
  spawn: (actor: string, position?: Position): ActionWithName => ({ type: 'spawn', actor, position }),
  remove: (actor: string): ActionWithName => ({ type: 'remove', actor }),
  succeed: (reason: string): ActionWithName => ({ type: 'end', outcome: 'success', reason }),
  fail: (reason: string): ActionWithName => ({ type: 'end', outcome: 'failure', reason }),
  /** Sets the weather in force from then on (the whole of it; `{}` clears). */
  weather: (weather: Weather): ActionWithName => ({ type: 'weather', weather }),
};

export type { ScenarioDefinition } from './definition.js';
