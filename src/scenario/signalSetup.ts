import type { ConfigPath } from '../core/ConfigDocument.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { SignalSetup } from './Scenario.js';

/** `signals:` as authors write it (snake_case like the rest of the file). */
export interface SignalsDefinition {
  /** The fixed-time plans the map's junction controllers run (s). */
  timing?: { green?: number; amber?: number; all_red?: number };
  /** Where each junction's (or lone controller's) cycle is at time 0 (s); absent: drawn from the seed. */
  offsets?: Record<string, number>;
  /** Controllers with phases of their own, over the map's (OpenSCENARIO's TrafficSignalController). */
  controllers?: { id: string; delay?: number; reference?: string; phases: { name: string; duration: number; states: Record<string, string> }[] }[];
}

/**
 * The model's SignalSetup from `signals:`: the ids it names checked against the map (a
 * junction or controller for offsets, a dynamic signal for states), each mistake at its path.
 */
export function signalSetupOf(def: SignalsDefinition | undefined, network: RoadNetwork, fail: (path: ConfigPath, message: string) => never): SignalSetup | undefined {
  if (!def) return undefined;
  const dynamic = new Set(network.signals().filter((s) => s.dynamic).map((s) => s.id));
  const places = new Set([...network.junctions.map((j) => j.id), ...network.controllers.map((c) => c.id)]);
  for (const id of Object.keys(def.offsets ?? {})) {
    if (!places.has(id)) fail(['signals', 'offsets', id], `names no junction or signal controller of the map`);
  }
  const ids = new Set<string>();
  const controllers = (def.controllers ?? []).map((c, i) => {
    if (ids.has(c.id)) fail(['signals', 'controllers', i, 'id'], `controller "${c.id}" is declared twice`);
    ids.add(c.id);
    return {
      id: c.id,
      ...(c.delay !== undefined ? { delay: c.delay } : {}),
      ...(c.reference !== undefined ? { reference: c.reference } : {}),
      phases: c.phases.map((p, k) => ({
        name: p.name,
        duration: p.duration,
        states: Object.entries(p.states).map(([signal, state]) => {
          if (!dynamic.has(signal)) fail(['signals', 'controllers', i, 'phases', k, 'states', signal], `the map has no dynamic signal "${signal}"`);
          return { signal, state };
        }),
      })),
    };
  });
  (def.controllers ?? []).forEach((c, i) => {
    if (c.reference !== undefined && !ids.has(c.reference)) fail(['signals', 'controllers', i, 'reference'], `names no controller of signals.controllers`);
  });
  const t = def.timing;
  return {
    ...(t ? { timing: { ...(t.green !== undefined ? { green: t.green } : {}), ...(t.amber !== undefined ? { amber: t.amber } : {}), ...(t.all_red !== undefined ? { allRed: t.all_red } : {}) } } : {}),
    ...(def.offsets ? { offsets: { ...def.offsets } } : {}),
    ...(controllers.length > 0 ? { controllers } : {}),
  };
}

/** The JSON schema of `signals:`. */
export const SIGNALS_SCHEMA = {
  type: 'object', additionalProperties: false,
  properties: {
    timing: { type: 'object', additionalProperties: false, properties: { green: { type: 'number', exclusiveMinimum: 0 }, amber: { type: 'number', minimum: 0 }, all_red: { type: 'number', minimum: 0 } } },
    offsets: { type: 'object', additionalProperties: { type: 'number' } },
    controllers: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['id', 'phases'],
        properties: {
          id: { type: 'string' }, delay: { type: 'number' }, reference: { type: 'string' },
          phases: {
            type: 'array', minItems: 1,
            items: {
              type: 'object', additionalProperties: false, required: ['name', 'duration', 'states'],
              properties: { name: { type: 'string' }, duration: { type: 'number', exclusiveMinimum: 0 }, states: { type: 'object', additionalProperties: { type: 'string' } } },
            },
          },
        },
      },
    },
  },
};
