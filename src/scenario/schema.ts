/**
 * The one schema of YAML/JSON scenarios, as JSON Schema (draft 2020-12 subset), so editors
 * can use it too, plus the small validator the loader runs (it reports the JSON path and what
 * was expected; the loader turns the path into file:line). Supported keywords: type, enum,
 * const, properties, required, additionalProperties (false), items, minimum, maximum,
 * exclusiveMinimum, minItems, oneOf (with a `type` discriminator), anyOf, $ref to $defs.
 */
import { SIGNALS_SCHEMA } from './signalSetup.js';
import { ACTOR_KIND_NAMES } from '../core/actorKinds.js';

export type Schema = Record<string, unknown>;

const num = { type: 'number' };
const str = { type: 'string' };
const numOrParam = num; // parameters are substituted before validation
const rule = { enum: ['greaterThan', 'lessThan', 'equalTo', 'greaterOrEqual', 'lessOrEqual', 'notEqualTo'] };
const entity = { anyOf: [str, { type: 'array', items: str, minItems: 1 }] };
const dynamics = {
  type: 'object', additionalProperties: false, required: ['shape', 'value'],
  properties: { shape: { enum: ['step', 'linear', 'cubic', 'sinusoidal'] }, dimension: { enum: ['time', 'distance', 'rate'] }, value: numOrParam },
};

function variant(name: string, props: Record<string, unknown>, required: string[] = []): Schema {
  return { type: 'object', additionalProperties: false, required: ['type', ...required], properties: { type: { const: name }, ...props } };
}

const conditionCommon = { name: str, delay: numOrParam, edge: { enum: ['none', 'rising', 'falling', 'risingOrFalling'] } };
const byEntity = { entity, entitiesRule: { enum: ['any', 'all'] } };

const position = {
  oneOf: [
    variant('lane', { road: str, lane: { type: 'integer' }, s: numOrParam, offset: numOrParam, heading: numOrParam }, ['road', 'lane', 's']),
    variant('road', { road: str, s: numOrParam, t: numOrParam, heading: numOrParam }, ['road', 's', 't']),
    variant('world', { x: numOrParam, y: numOrParam, z: numOrParam, heading: numOrParam }, ['x', 'y']),
    variant('relativeLane', { entity: str, dLane: { type: 'integer' }, ds: numOrParam, offset: numOrParam }, ['entity', 'dLane', 'ds']),
    variant('relativeRoad', { entity: str, ds: numOrParam, dt: numOrParam }, ['entity', 'ds', 'dt']),
    variant('relativeWorld', { entity: str, dx: numOrParam, dy: numOrParam }, ['entity', 'dx', 'dy']),
  ],
};

const condition = {
  oneOf: [
    variant('simulationTime', { ...conditionCommon, value: numOrParam, rule }, ['value', 'rule']),
    variant('storyboardState', { ...conditionCommon, element: str, elementType: { enum: ['story', 'act', 'maneuverGroup', 'maneuver', 'event', 'action'] }, state: { enum: ['standby', 'running', 'complete', 'startTransition', 'endTransition', 'stopTransition', 'skipTransition'] } }, ['element', 'state']),
    variant('timeSince', { ...conditionCommon, element: str, state: { enum: ['startTransition', 'endTransition', 'stopTransition', 'skipTransition'] }, value: numOrParam, rule }, ['element', 'value']),
    variant('reachPosition', { ...conditionCommon, ...byEntity, position: { $ref: '#/$defs/position' }, tolerance: numOrParam }, ['entity', 'position', 'tolerance']),
    variant('roadS', { ...conditionCommon, ...byEntity, road: str, s: numOrParam, rule }, ['entity', 'road', 's']),
    variant('traveledDistance', { ...conditionCommon, ...byEntity, value: numOrParam }, ['entity', 'value']),
    variant('relativeDistance', { ...conditionCommon, ...byEntity, target: str, value: numOrParam, rule, distanceType: { enum: ['longitudinal', 'lateral', 'euclidean'] }, freespace: { type: 'boolean' } }, ['entity', 'target', 'value', 'rule']),
    variant('timeHeadway', { ...conditionCommon, ...byEntity, target: str, value: numOrParam, rule, freespace: { type: 'boolean' } }, ['entity', 'target', 'value', 'rule']),
    variant('timeToCollision', { ...conditionCommon, ...byEntity, target: str, value: numOrParam, rule, freespace: { type: 'boolean' } }, ['entity', 'target', 'value', 'rule']),
    variant('speed', { ...conditionCommon, ...byEntity, value: numOrParam, rule }, ['entity', 'value', 'rule']),
    variant('relativeSpeed', { ...conditionCommon, ...byEntity, target: str, value: numOrParam, rule }, ['entity', 'target', 'value', 'rule']),
    variant('acceleration', { ...conditionCommon, ...byEntity, value: numOrParam, rule }, ['entity', 'value', 'rule']),
    variant('collision', { ...conditionCommon, ...byEntity, target: str }, ['entity']),
    variant('laneChangeDone', { ...conditionCommon, ...byEntity }, ['entity']),
    variant('standStill', { ...conditionCommon, ...byEntity, duration: numOrParam }, ['entity', 'duration']),
    variant('signalState', { ...conditionCommon, signal: str, state: str }, ['signal', 'state']),
    variant('signalPhase', { ...conditionCommon, controller: str, phase: str }, ['controller', 'phase']),
  ],
};

const trigger = {
  anyOf: [
    { $ref: '#/$defs/condition' },
    { type: 'array', items: { $ref: '#/$defs/condition' } },
    { type: 'object', additionalProperties: false, required: ['any'], properties: { any: { type: 'array', items: { anyOf: [{ $ref: '#/$defs/condition' }, { type: 'array', items: { $ref: '#/$defs/condition' } }] } } } },
  ],
};

const controller = {
  oneOf: [
    variant('laneKeeping', { targetSpeed: numOrParam, respectSpeedLimit: { type: 'boolean' }, respectSignals: { type: 'boolean' }, lookahead: numOrParam }),
    variant('idm', { respectSignals: { type: 'boolean' }, desiredSpeed: numOrParam, timeHeadway: numOrParam, minGap: numOrParam, maxAccel: numOrParam, comfortDecel: numOrParam, delta: numOrParam }),
    variant('mobil', { politeness: numOrParam, threshold: numOrParam, safeDecel: numOrParam, laneChangeDuration: numOrParam }),
    variant('route', { waypoints: { type: 'array', minItems: 1, items: { type: 'object', additionalProperties: false, required: ['road', 'lane', 's'], properties: { road: str, lane: { type: 'integer' }, s: numOrParam } } } }, ['waypoints']),
    variant('stopAt', { road: str, s: numOrParam, decel: numOrParam }, ['road', 's']),
    variant('pedestrian', { mode: { enum: ['walk', 'cross', 'jaywalk', 'crosswalk'] }, speed: numOrParam, heading: numOrParam, distance: numOrParam, start: { enum: ['now', 'onAction'] } }, ['mode', 'speed']),
    variant('external', {}),
  ],
};

const laneTarget = {
  anyOf: [
    { type: 'object', additionalProperties: false, required: ['lane'], properties: { lane: { type: 'integer' } } },
    { type: 'object', additionalProperties: false, required: ['relativeTo', 'value'], properties: { relativeTo: str, value: { type: 'integer' } } },
  ],
};

const weather = {
  type: 'object', additionalProperties: false,
  properties: {
    fog: { type: 'object', additionalProperties: false, required: ['visibility'], properties: { visibility: { type: 'number', exclusiveMinimum: 0 } } },
    rain: { type: 'object', additionalProperties: false, required: ['rate'], properties: { rate: { type: 'number', minimum: 0 } } },
    snow: { type: 'object', additionalProperties: false, required: ['rate'], properties: { rate: { type: 'number', minimum: 0 } } },
    wet_road: { type: 'number', minimum: 0, maximum: 1 },
    sun: { type: 'object', additionalProperties: false, required: ['azimuth', 'elevation'], properties: { azimuth: num, elevation: { type: 'number', minimum: -90, maximum: 90 } } },
  },
};

const action = {
  oneOf: [
    variant('speed', { name: str, actor: str, target: { anyOf: [numOrParam, { type: 'object', additionalProperties: false, required: ['relativeTo', 'value', 'valueType'], properties: { relativeTo: str, value: numOrParam, valueType: { enum: ['delta', 'factor'] }, continuous: { type: 'boolean' } } }] }, dynamics }, ['actor', 'target']),
    variant('laneChange', { name: str, actor: str, target: laneTarget, dynamics, targetOffset: numOrParam }, ['actor', 'target']),
    variant('laneOffset', { name: str, actor: str, offset: numOrParam, dynamics, maxLateralAccel: numOrParam }, ['actor', 'offset']),
    variant('teleport', { name: str, actor: str, position: { $ref: '#/$defs/position' } }, ['actor', 'position']),
    variant('spawn', { name: str, actor: str, position: { $ref: '#/$defs/position' }, speed: numOrParam }, ['actor']),
    variant('remove', { name: str, actor: str }, ['actor']),
    variant('startWalking', { name: str, actor: str, speed: numOrParam, mode: { enum: ['walk', 'cross', 'jaywalk', 'crosswalk'] }, heading: numOrParam, distance: numOrParam }, ['actor']),
    variant('stop', { name: str, actor: str, decel: numOrParam, road: str, s: numOrParam }, ['actor']),
    variant('controller', { name: str, actor: str, controller: { $ref: '#/$defs/controller' }, enable: { type: 'boolean' } }, ['actor', 'controller']),
    variant('end', { name: str, outcome: { enum: ['success', 'failure'] }, reason: str }, ['outcome', 'reason']),
    variant('weather', { name: str, weather }, ['weather']),
    variant('signalState', { name: str, signal: str, state: str }, ['signal', 'state']),
    variant('signalPhase', { name: str, controller: str, phase: str }, ['controller', 'phase']),
  ],
};

const event = {
  type: 'object', additionalProperties: false, required: ['actions'],
  properties: {
    name: str, priority: { enum: ['overwrite', 'parallel', 'skip'] }, maxCount: { type: 'integer', minimum: 1 },
    trigger: { $ref: '#/$defs/trigger' }, actions: { type: 'array', minItems: 1, items: { $ref: '#/$defs/action' } },
  },
};

const distribution = {
  oneOf: [
    variant('uniform', { min: num, max: num }, ['min', 'max']),
    variant('normal', { mean: num, std: num }, ['mean', 'std']),
    variant('truncatedNormal', { mean: num, std: num, min: num, max: num }, ['mean', 'std', 'min', 'max']),
    variant('logNormal', { mu: num, sigma: num }, ['mu', 'sigma']),
    variant('choice', { values: { type: 'array', minItems: 1, items: { anyOf: [num, str] } }, weights: { type: 'array', items: num } }, ['values']),
  ],
};

export const SCENARIO_SCHEMA: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://roadcast.dev/schemas/scenario.json',
  title: 'roadcast scenario',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'map', 'actors'],
  properties: {
    name: str,
    map: str,
    rig: str,
    duration: { type: 'number', exclusiveMinimum: 0 },
    step: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    seed: { type: 'integer', minimum: 0 },
    buildings: { type: 'integer', minimum: 0 },
    models: {
      type: 'object', additionalProperties: false,
      properties: { ...Object.fromEntries(ACTOR_KIND_NAMES.map((kind) => [kind, str])), actors: { type: 'object', additionalProperties: str } },
    },
    weather,
    signals: SIGNALS_SCHEMA,
    objectives: { type: 'object', additionalProperties: str },
    dressing: { anyOf: [{ type: 'boolean' }, { type: 'object', additionalProperties: false, properties: { buildings: { type: 'integer', minimum: 0 }, furniture: { type: 'boolean' } } }] },
    parameters: {
      type: 'object',
      additionalProperties: {
        anyOf: [num, str, {
          type: 'object', additionalProperties: false, required: ['default'],
          properties: { default: { anyOf: [num, str] }, min: num, max: num, distribution: { $ref: '#/$defs/distribution' } },
        }],
      },
    },
    actors: {
      type: 'array', minItems: 1,
      items: {
        type: 'object', additionalProperties: false, required: ['id', 'kind'],
        properties: {
          id: str,
          kind: { enum: [] as string[] },
          ego: { type: 'boolean' },
          position: { $ref: '#/$defs/position' },
          road: str, lane: { type: 'integer' }, s: numOrParam, offset: numOrParam,
          speed: numOrParam,
          dimensions: { type: 'object', additionalProperties: false, required: ['length', 'width', 'height'], properties: { length: num, width: num, height: num } },
          controllers: { type: 'array', items: { $ref: '#/$defs/controller' } },
          spawn: { enum: ['start', 'later'] },
        },
      },
    },
    storyboard: {
      type: 'object', additionalProperties: false,
      properties: {
        events: { type: 'array', items: event },
        acts: {
          type: 'array',
          items: {
            type: 'object', additionalProperties: false, required: ['name', 'maneuvers'],
            properties: {
              name: str, story: str, trigger: { $ref: '#/$defs/trigger' }, stopTrigger: { $ref: '#/$defs/trigger' },
              maneuvers: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['name', 'events'], properties: { name: str, group: str, actors: { type: 'array', items: str }, events: { type: 'array', items: event } } } },
            },
          },
        },
        stopTrigger: { $ref: '#/$defs/trigger' },
      },
    },
  },
  $defs: { position, condition, trigger, controller, action, distribution },
};

export interface SchemaError {
  path: (string | number)[];
  message: string;
}

/** Validates data against a schema; the first error found, with its path, or undefined. */
export function validate(schema: Schema, data: unknown, root: Schema = schema, path: (string | number)[] = []): SchemaError | undefined {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/$defs/', '');
    return validate((root.$defs as Record<string, Schema>)[name], data, root, path);
  }
  if (schema.anyOf) {
    const options = schema.anyOf as Schema[];
    let best: SchemaError | undefined;
    for (const option of options) {
      const error = validate(option, data, root, path);
      if (!error) return undefined;
      if (!best || error.path.length > best.path.length) best = error;
    }
    return best && best.path.length > path.length ? best : { path, message: `expected ${options.map((o) => describeSchema(o, root)).join(' or ')}, got ${describeValue(data)}` };
  }
  if (schema.oneOf) {
    const options = schema.oneOf as Schema[];
    const types = options.map((o) => ((o.properties as Record<string, Schema>)?.type as Schema | undefined)?.const as string | undefined);
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return { path, message: `expected a mapping with "type" (${types.join(', ')}), got ${describeValue(data)}` };
    const type = (data as Record<string, unknown>).type;
    const index = types.indexOf(type as string);
    if (index < 0) return { path: [...path, 'type'], message: `expected "type" to be one of ${types.join(', ')}, got ${describeValue(type)}` };
    return validate(options[index], data, root, path);
  }
  if ('const' in schema && data !== schema.const) return { path, message: `expected ${JSON.stringify(schema.const)}, got ${describeValue(data)}` };
  if (schema.enum) {
    const values = schema.enum as unknown[];
    if (values.length > 0 && !values.includes(data)) return { path, message: `expected one of ${values.join(', ')}, got ${typeof data === 'string' ? JSON.stringify(data) : describeValue(data)}` };
  }
  switch (schema.type) {
    case 'object': {
      if (data === null || typeof data !== 'object' || Array.isArray(data)) return { path, message: `expected a mapping, got ${describeValue(data)}` };
      const obj = data as Record<string, unknown>;
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      for (const key of (schema.required ?? []) as string[]) {
        if (obj[key] === undefined) return { path, message: `missing "${key}"` };
      }
      for (const [key, value] of Object.entries(obj)) {
        if (value === undefined) continue; // absent (TypeScript authors may spell it out)
        const sub = props[key];
        if (sub) {
          const error = validate(sub, value, root, [...path, key]);
          if (error) return error;
        } else if (schema.additionalProperties === false) {
          return { path: [...path, key], message: `unknown key "${key}"; expected one of ${Object.keys(props).join(', ')}` };
        } else if (typeof schema.additionalProperties === 'object') {
          const error = validate(schema.additionalProperties as Schema, value, root, [...path, key]);
          if (error) return error;
        }
      }
      return undefined;
    }
    case 'array': {
      if (!Array.isArray(data)) return { path, message: `expected a list, got ${describeValue(data)}` };
      if (typeof schema.minItems === 'number' && data.length < schema.minItems) return { path, message: `expected at least ${schema.minItems} item(s)` };
      if (schema.items) {
        for (let i = 0; i < data.length; i++) {
          const error = validate(schema.items as Schema, data[i], root, [...path, i]);
          if (error) return error;
        }
      }
      return undefined;
    }
    case 'string':
      if (typeof data !== 'string' || data === '') return { path, message: `expected a string, got ${describeValue(data)}` };
      if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(data)) return { path, message: `expected a string matching ${schema.pattern}, got ${describeValue(data)}` };
      return undefined;
    case 'boolean':
      return typeof data === 'boolean' ? undefined : { path, message: `expected true or false, got ${describeValue(data)}` };
    case 'number':
    case 'integer': {
      if (typeof data !== 'number' || !Number.isFinite(data)) return { path, message: `expected a number, got ${describeValue(data)}` };
      if (schema.type === 'integer' && !Number.isInteger(data)) return { path, message: `expected an integer, got ${data}` };
      if (typeof schema.minimum === 'number' && data < schema.minimum) return { path, message: `expected a number >= ${schema.minimum}, got ${data}` };
      if (typeof schema.exclusiveMinimum === 'number' && data <= schema.exclusiveMinimum) return { path, message: `expected a number > ${schema.exclusiveMinimum}, got ${data}` };
      if (typeof schema.maximum === 'number' && data > schema.maximum) return { path, message: `expected a number <= ${schema.maximum}, got ${data}` };
      return undefined;
    }
  }
  return undefined;
}

function describeSchema(schema: Schema, root: Schema): string {
  if (typeof schema.$ref === 'string') return `a ${schema.$ref.replace('#/$defs/', '')}`;
  if (schema.type === 'array') return 'a list';
  if (schema.type === 'object') return 'a mapping';
  if (schema.type) return `a ${schema.type as string}`;
  if (schema.anyOf) return (schema.anyOf as Schema[]).map((s) => describeSchema(s, root)).join(' or ');
  return 'a value';
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  // JSON has no NaN or Infinity (a TypeScript scenario can compute them): name them.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return `${typeof value} ${JSON.stringify(value)}`;
}
