import { signalSetupOf, type SignalsDefinition } from './signalSetup.js';
import { dirname, resolve } from 'node:path';
import { ACTOR_KIND_NAMES, ACTOR_KINDS, type ActorKindName } from '../core/actorKinds.js';
import type { ConfigPath } from '../core/ConfigDocument.js';
import { formatPath } from '../core/ConfigDocument.js';
import { MAX_YAML_DEPTH } from '../core/yamlLimits.js';
import { UserError } from '../core/errors.js';
import { readOpenDrive } from '../map/OpenDriveReader.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import { ExpressionError, substitute, type ParamValue } from './expressions.js';
import type {
  ActionWithName, ActorModelFiles, ActorSpec, ConditionSpec, ControllerSpec, Distribution, EventSpec, ParameterSpec, Position, Scenario, StoryboardSpec, TriggerSpec, Weather,
} from './Scenario.js';
import { isClearWeather } from './Scenario.js';
import { describePlacementProblem, placementOrder } from './placementOrder.js';
import { SCENARIO_SCHEMA, validate, type Schema } from './schema.js';
import { parseObjectives } from './objectives.js';

/** A trigger as authors write it: one condition, a list (all must hold), or `{ any: [...] }` groups. */
export type TriggerDefinition = ConditionSpec | ConditionSpec[] | { any: (ConditionSpec | ConditionSpec[])[] };

export interface EventDefinition {
  name?: string;
  priority?: 'overwrite' | 'parallel' | 'skip';
  maxCount?: number;
  trigger?: TriggerDefinition;
  actions: ActionWithName[];
}

export interface ActDefinition {
  name: string;
  story?: string;
  trigger?: TriggerDefinition;
  stopTrigger?: TriggerDefinition;
  maneuvers: { name: string; group?: string; actors?: string[]; events: EventDefinition[] }[];
}

export interface ParameterDefinition {
  default: number | string;
  min?: number;
  max?: number;
  distribution?: Distribution;
}

export interface ActorDefinition {
  id: string;
  kind: ActorKindName;
  ego?: boolean;
  position?: Position;
  /** Shorthand for a lane position. */
  road?: string;
  lane?: number;
  s?: number;
  offset?: number;
  speed?: number;
  dimensions?: { length: number; width: number; height: number };
  controllers?: ControllerSpec[];
  /** "later": absent until a spawn action. */
  spawn?: 'start' | 'later';
}

/** `weather:` as authors write it (snake_case like the rest of the file). */
export interface WeatherDefinition {
  fog?: { visibility: number };
  rain?: { rate: number };
  snow?: { rate: number };
  wet_road?: number;
  sun?: { azimuth: number; elevation: number };
}

/** The model's weather from `weather:`; undefined when clear, so a clear run carries nothing new. */
export function weatherOf(def: WeatherDefinition | undefined): Weather | undefined {
  if (!def) return undefined;
  const weather: Weather = {};
  if (def.fog) weather.fog = { visibility: def.fog.visibility };
  if (def.rain) weather.rain = { rate: def.rain.rate };
  if (def.snow) weather.snow = { rate: def.snow.rate };
  // wetRoad: a TypeScript author's action, typed as the model.
  const wet = def.wet_road ?? (def as Weather).wetRoad;
  if (wet !== undefined) weather.wetRoad = wet;
  if (def.sun) weather.sun = { azimuth: def.sun.azimuth, elevation: def.sun.elevation };
  return isClearWeather(weather) ? undefined : weather;
}

/** A scenario as YAML, JSON and TypeScript authors write it (the schema describes the same). */
export interface ScenarioDefinition {
  name: string;
  /** The OpenDRIVE map, relative to the scenario file. */
  map: string;
  rig?: string;
  duration?: number;
  step?: number;
  seed?: number;
  buildings?: number;
  /** Roadside objects: `false` for none, or how many buildings and whether street furniture. */
  dressing?: boolean | { buildings?: number; furniture?: boolean };
  /**
   * The user's glTF 2.0 binary models, relative to the scenario file: a kind name maps to a
   * .glb for every actor of that kind, `actors:` maps actor ids to a .glb for that actor only.
   */
  models?: Partial<Record<ActorKindName, string>> & { actors?: Record<string, string> };
  parameters?: Record<string, number | string | ParameterDefinition>;
  /** The weather at the start (see Weather in Scenario.ts); absent or `{}` is clear. */
  weather?: WeatherDefinition;
  /** Traffic signal timing, offsets and controllers (signalSetup.ts). */
  signals?: SignalsDefinition;
  /** Named monitors whose end-of-run margins the run's summary records (objectives.ts): `{ near_miss: "min(ttc)" }`. */
  objectives?: Record<string, string>;
  actors: ActorDefinition[];
  storyboard?: { events?: EventDefinition[]; acts?: ActDefinition[]; stopTrigger?: TriggerDefinition };
}

export interface BuildOptions {
  file: string;
  /** `file:line (path)` for a path, when the source has lines. */
  where?: (path: ConfigPath) => string;
  /** Parameter values from the command line (strings are read as numbers where they look like one). */
  params?: Record<string, string | number>;
  /** A network already read (tests, sweeps). */
  network?: RoadNetwork;
}

/** The schema with the actor kinds filled in. */
export function scenarioSchema(): Schema {
  const schema = structuredClone(SCENARIO_SCHEMA) as Schema;
  const actors = (schema.properties as Record<string, Schema>).actors;
  ((actors.items as Schema).properties as Record<string, Schema>).kind = { enum: [...ACTOR_KIND_NAMES] };
  return schema;
}

/** Parameter declarations with their values: defaults, overridden from the command line. */
export function resolveParameters(def: { parameters?: ScenarioDefinition['parameters'] }, overrides: Record<string, string | number> = {}, fail: (path: ConfigPath, message: string) => never): { specs: ParameterSpec[]; values: Map<string, ParamValue> } {
  const specs: ParameterSpec[] = [];
  const values = new Map<string, ParamValue>();
  for (const [name, raw] of Object.entries(def.parameters ?? {})) {
    const spec: ParameterSpec = typeof raw === 'object' ? { name, ...raw } : { name, default: raw };
    specs.push(spec);
    values.set(name, spec.default);
  }
  for (const [name, value] of Object.entries(overrides)) {
    const spec = specs.find((p) => p.name === name);
    if (!spec) fail(['parameters'], `--param ${name}: the scenario declares no parameter "${name}" (parameters: ${specs.map((p) => p.name).join(', ') || 'none'})`);
    const v = typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
    if (typeof v === 'number' && ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max))) {
      fail(['parameters', name], `--param ${name}=${v} is outside the declared range [${spec.min ?? '-inf'}, ${spec.max ?? 'inf'}]`);
    }
    values.set(name, v);
  }
  return { specs, values };
}

/**
 * Replaces `$name` and `${expr}` strings throughout a definition. A definition built in code
 * (a TypeScript scenario) may nest without end or contain itself; both fail here, at the path,
 * rather than overflow the stack.
 */
export function substituteAll(data: unknown, values: ReadonlyMap<string, ParamValue>, fail: (path: ConfigPath, message: string) => never, path: (string | number)[] = [], open = new Set<object>()): unknown {
  if (typeof data === 'string' && data.includes('$')) {
    try {
      return substitute(data, values);
    } catch (error) {
      if (error instanceof ExpressionError) fail(path, error.message);
      throw error;
    }
  }
  if (data && typeof data === 'object') {
    if (open.has(data)) fail(path, 'contains itself (a circular reference)');
    if (path.length > MAX_YAML_DEPTH) fail(path, `is nested more than ${MAX_YAML_DEPTH} levels deep`);
    open.add(data);
    let out: unknown;
    if (Array.isArray(data)) {
      out = data.map((x, i) => substituteAll(x, values, fail, [...path, i], open));
    } else {
      const copy: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(data)) copy[k] = path.length === 0 && k === 'parameters' ? v : substituteAll(v, values, fail, [...path, k], open);
      out = copy;
    }
    open.delete(data);
    return out;
  }
  return data;
}

/**
 * Builds the Scenario from a definition: parameters substituted, the schema checked, the
 * map read, and every road, lane and actor reference checked against it, each failure naming
 * the place (file:line and JSON path).
 */
export function buildScenario(input: ScenarioDefinition, options: BuildOptions): Scenario {
  const where = options.where ?? ((path: ConfigPath) => `${options.file} (${formatPath(path)})`);
  const fail = (path: ConfigPath, message: string): never => {
    throw new UserError(message, where(path));
  };
  // An empty document (`~`), a list or a number: nothing below could read it.
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    fail([], `expected a mapping with name, map and actors, got ${input === null || input === undefined ? 'nothing' : Array.isArray(input) ? 'a list' : typeof input}`);
  }
  const { specs, values } = resolveParameters(input, options.params, fail);
  const def = substituteAll(input, values, fail) as ScenarioDefinition;
  const error = validate(scenarioSchema(), def);
  if (error) fail(error.path, error.message);

  const base = dirname(resolve(options.file));
  const mapFile = resolve(base, def.map);
  const network = options.network ?? readOpenDrive(mapFile);

  const ids = new Set<string>();
  const actors: ActorSpec[] = def.actors.map((a, i) => {
    if (ids.has(a.id)) fail(['actors', i, 'id'], `actor id "${a.id}" is used twice`);
    ids.add(a.id);
    let position = a.position;
    if (!position) {
      if (a.road === undefined || a.lane === undefined || a.s === undefined) fail(['actors', i], 'expected "position", or "road", "lane" and "s"');
      position = { type: 'lane', road: a.road!, lane: a.lane!, s: a.s!, offset: a.offset };
      checkLane(network, position, a.kind, fail, ['actors', i], true);
    } else {
      checkPosition(network, position, a.kind, fail, ['actors', i, 'position']);
    }
    const spec: ActorSpec = {
      id: a.id, kind: a.kind, ego: a.ego ?? false, position, speed: (a.speed as number | undefined) ?? 0,
      controllers: a.controllers ?? [], spawnLater: a.spawn === 'later',
    };
    if (a.dimensions) spec.dimensions = a.dimensions;
    if (position.type === 'lane') {
      spec.road = position.road;
      spec.lane = position.lane;
      spec.s = position.s;
    }
    if ((spec.speed as unknown as number) < 0) fail(['actors', i, 'speed'], `expected a number >= 0, got ${spec.speed}`);
    return spec;
  });
  const placed = placementOrder(actors);
  if ('problem' in placed) fail(['actors', placed.problem.index, 'position', 'entity'], describePlacementProblem(placed.problem, actors));
  const egos = actors.filter((a) => a.ego);
  if (egos.length !== 1) fail(['actors'], `expected exactly one actor with "ego: true", found ${egos.length}`);

  const signalControllers = new Set([...network.controllers.map((c) => c.id), ...(def.signals?.controllers ?? []).map((c) => c.id)]);
  const storyboard = buildStoryboard(def.storyboard ?? {}, ids, network, fail, signalControllers);
  return {
    name: def.name,
    file: options.file,
    locate: where,
    mapFile,
    network,
    rigFile: def.rig ? resolve(base, def.rig) : undefined,
    duration: def.duration ?? 10,
    step: def.step ?? 0.01,
    seed: def.seed ?? 1,
    ...dressingOf(def, fail),
    ...(def.models ? { models: modelsOf(def.models, base, ids, fail) } : {}),
    // Only a weather with some part is carried: a clear scenario's model is what it was.
    ...(weatherOf(def.weather) ? { weather: weatherOf(def.weather) } : {}),
    ...(def.signals ? { signals: signalSetupOf(def.signals, network, fail) } : {}),
    ...(def.objectives ? { objectives: parseObjectives(def.objectives, actors.map((a) => a.id), (name, message) => fail(['objectives', name], message)) } : {}),
    actors,
    storyboard,
    parameters: specs,
    parameterValues: Object.fromEntries([...values].map(([k, v]) => [k, typeof v === 'boolean' ? String(v) : v])),
    warnings: [],
  };
}

function checkPosition(network: RoadNetwork, position: Position, kind: ActorKindName, fail: (path: ConfigPath, message: string) => never, path: ConfigPath): void {
  if (position.type === 'lane') checkLane(network, position, kind, fail, path, false);
  if (position.type === 'road') {
    if (!network.hasRoad(position.road)) fail([...path, 'road'], `the map has no road "${position.road}" (roads: ${network.roads.map((r) => r.id).join(', ')})`);
    const road = network.road(position.road);
    if (position.s < 0 || position.s > road.length) fail([...path, 's'], `s=${position.s} is outside road ${road.id} (length ${road.length} m)`);
  }
}

function checkLane(network: RoadNetwork, p: { road: string; lane: number; s: number }, kind: ActorKindName, fail: (path: ConfigPath, message: string) => never, path: ConfigPath, flat: boolean): void {
  if (!network.hasRoad(p.road)) fail([...path, 'road'], `the map has no road "${p.road}" (roads: ${network.roads.map((r) => r.id).join(', ')})`);
  const road = network.road(p.road);
  if (p.s > road.length) fail([...path, 's'], `s=${p.s} is past the end of road ${road.id} (length ${road.length} m)`);
  const section = road.sectionAt(p.s);
  const vehicle = ACTOR_KINDS[kind].category === 'vehicle' || ACTOR_KINDS[kind].category === 'cyclist';
  const lanes = [...section.left, ...section.right].filter((l) => !vehicle || l.type === 'driving' || l.type === 'entry' || l.type === 'exit' || l.type === 'onRamp' || l.type === 'offRamp' || l.type === 'bidirectional');
  if (!lanes.some((l) => l.id === p.lane)) {
    fail([...path, 'lane'], `road ${road.id} has no ${vehicle ? 'driving ' : ''}lane ${p.lane} at s=${p.s} (lanes: ${lanes.map((l) => l.id).join(', ')})`);
  }
  void flat;
}

function trigger(def: TriggerDefinition): TriggerSpec {
  if (Array.isArray(def)) return [def];
  if ('any' in def) return def.any.map((g) => (Array.isArray(g) ? g : [g]));
  return [[def]];
}

function buildEvent(e: EventDefinition, name: string): EventSpec {
  return {
    name: e.name ?? name,
    priority: e.priority ?? 'parallel',
    maxCount: e.maxCount ?? 1,
    startTrigger: e.trigger ? trigger(e.trigger) : undefined,
    // A weather action is written as `weather:` is (wet_road); the model's is camelCase.
    actions: e.actions.map((a) => (a.type === 'weather' ? { ...a, weather: weatherOf(a.weather as WeatherDefinition) ?? {} } : a)),
  };
}

function buildStoryboard(def: NonNullable<ScenarioDefinition['storyboard']>, ids: Set<string>, network: RoadNetwork, fail: (path: ConfigPath, message: string) => never, signalControllers: ReadonlySet<string>): StoryboardSpec {
  const acts: StoryboardSpec['acts'] = [];
  if (def.events && def.events.length > 0) {
    acts.push({
      name: 'main', story: 'story',
      maneuvers: [{ name: 'main', group: 'main', actors: [], events: def.events.map((e, i) => buildEvent(e, `event${i + 1}`)) }],
    });
  }
  for (const act of def.acts ?? []) {
    acts.push({
      name: act.name, story: act.story ?? 'story',
      startTrigger: act.trigger ? trigger(act.trigger) : undefined,
      stopTrigger: act.stopTrigger ? trigger(act.stopTrigger) : undefined,
      maneuvers: act.maneuvers.map((m) => ({ name: m.name, group: m.group ?? m.name, actors: m.actors ?? [], events: m.events.map((e, i) => buildEvent(e, `${m.name}/event${i + 1}`)) })),
    });
  }
  // Every actor an action or condition names must exist, and every storyboard element a
  // condition names (timeSince, storyboardState): a misspelt name would otherwise never fire.
  const elements = storyboardElementNames(acts);
  const check = (value: unknown, path: (string | number)[]): void => {
    if (Array.isArray(value)) value.forEach((v, i) => check(v, [...path, i]));
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if ((k === 'actor' || k === 'target' || k === 'relativeTo') && typeof v === 'string' && !ids.has(v)) fail([...path, k], `no actor "${v}" (actors: ${[...ids].join(', ')})`);
        // Positions of actions and conditions (teleport, reachPosition): on roads and lanes the map has.
        if (k === 'position' && v && typeof v === 'object' && ((v as Position).type === 'lane' || (v as Position).type === 'road')) checkPosition(network, v as Position, 'pedestrian', fail, [...path, k]);
        if (k === 'element' && typeof v === 'string' && !elements.has(v)) fail([...path, k], `no storyboard element "${v}" (events, acts, maneuvers and actions: ${[...elements].join(', ') || 'none'})`);
        if (k === 'entity') for (const id of Array.isArray(v) ? v : [v]) if (typeof id === 'string' && !ids.has(id)) fail([...path, k], `no actor "${id}" (actors: ${[...ids].join(', ')})`);
        // Signal actions and conditions name the map's dynamic signals and controllers (or signals.controllers').
        if (k === 'signal' && typeof v === 'string' && !network.signals().some((s) => s.dynamic && s.id === v)) fail([...path, k], `the map has no dynamic signal "${v}"`);
        if (k === 'controller' && typeof v === 'string' && !signalControllers.has(v)) fail([...path, k], `no signal controller "${v}" in the map or in signals.controllers`);
        check(v, [...path, k]);
      }
    }
  };
  check(def, ['storyboard']);
  return { acts, stopTrigger: def.stopTrigger ? trigger(def.stopTrigger) : undefined };
}

/**
 * The names conditions may refer to: stories, acts, maneuvers and their groups, events and
 * actions (named, or `event/type#index` as the storyboard names them), and the storyboard.
 */
function storyboardElementNames(acts: StoryboardSpec['acts']): Set<string> {
  const names = new Set<string>();
  for (const act of acts) {
    names.add(act.story);
    names.add(act.name);
    for (const m of act.maneuvers) {
      names.add(m.name);
      names.add(m.group);
      for (const e of m.events) {
        names.add(e.name);
        e.actions.forEach((a, i) => names.add(a.name ?? `${e.name}/${a.type}#${i}`));
      }
    }
  }
  return names;
}

/** `models:` with its paths made absolute, and every actor it names checked to exist. */
function modelsOf(models: NonNullable<ScenarioDefinition['models']>, base: string, ids: Set<string>, fail: (path: ConfigPath, message: string) => never): ActorModelFiles {
  const { actors = {}, ...kinds } = models;
  const byKind = Object.fromEntries(Object.entries(kinds).map(([kind, file]) => [kind, resolve(base, file as string)]));
  for (const id of Object.keys(actors)) {
    if (!ids.has(id)) fail(['models', 'actors', id], `no actor has the id "${id}" (actors: ${[...ids].join(', ')})`);
  }
  return { byKind, byActor: Object.fromEntries(Object.entries(actors).map(([id, file]) => [id, resolve(base, file)])) };
}

/** Buildings and street furniture from `buildings:` and `dressing:` (false: none at all). */
function dressingOf(def: ScenarioDefinition, fail: (path: ConfigPath, message: string) => never): { buildings: number; furniture: boolean } {
  const dressing = def.dressing ?? true;
  if (dressing === false) return { buildings: 0, furniture: false };
  const given = dressing === true ? {} : dressing;
  if (given.buildings !== undefined && def.buildings !== undefined) fail(['dressing', 'buildings'], 'give the number of buildings once: in "buildings" or in "dressing"');
  return { buildings: given.buildings ?? def.buildings ?? 12, furniture: given.furniture ?? true };
}
