import { EGO_METRICS, LEAD_METRICS, PAIR_METRICS, type Objective } from '../scenario/objectives.js';
import type { EgoMetrics } from './CriticalityMonitor.js';

/** The running aggregates of a run's objectives, fed the ego's metrics each tick. */
export class ObjectiveTracker {
  private readonly values: number[];

  constructor(readonly objectives: readonly Objective[]) {
    this.values = objectives.map((o) => (o.aggregate === 'min' ? Infinity : -Infinity));
  }

  add(m: EgoMetrics): void {
    this.objectives.forEach((o, k) => {
      for (const v of samples(o, m)) this.values[k] = o.aggregate === 'min' ? Math.min(this.values[k], v) : Math.max(this.values[k], v);
    });
  }

  /** Each objective's margin by name: the aggregate plus the offset (±Infinity: never measured, as min(ttc) without a closing actor). */
  result(): Record<string, number> {
    return Object.fromEntries(this.objectives.map((o, k) => [o.name, this.values[k] + o.offset]));
  }
}

function samples(o: Objective, m: EgoMetrics): number[] {
  if (o.metric === 'pet') return m.pets.filter((p) => o.actor === undefined || p.id === o.actor).map((p) => p.pet);
  if ((PAIR_METRICS as readonly string[]).includes(o.metric)) {
    const metric = o.metric as Exclude<(typeof PAIR_METRICS)[number], 'pet'>;
    return m.others.filter((p) => o.actor === undefined || p.id === o.actor).map((p) => p[metric]);
  }
  if ((LEAD_METRICS as readonly string[]).includes(o.metric)) {
    if (!m.lead || (o.actor !== undefined && m.lead.id !== o.actor)) return [];
    return [m.lead[o.metric as (typeof LEAD_METRICS)[number]]];
  }
  return [m[o.metric as (typeof EGO_METRICS)[number]]];
}
