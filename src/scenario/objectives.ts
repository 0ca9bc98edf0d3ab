/**
 * A scenario's objectives: monitors whose value at the end of a run is a signed margin (a
 * robustness value in the sense of signal temporal logic: how far the run stayed from the
 * threshold, negative once crossed), so that a search can rank near misses, not only failures.
 *
 * An objective is `min(<metric>)` or `max(<metric>)` over every tick of the run, against every
 * other actor or against one (`min(ttc, cutter)`), plus or minus a constant (`min(distance) - 2`
 * is negative once the ego came within 2 m); `collision` is `min(distance)`, 0 on contact. The
 * metrics are the ego's of sim/CriticalityMonitor.ts (defined in sim/Criticality.ts): `ttc`, `distance`,
 * `ttce`, `dce` and `pet` (at conflict areas, sim/PetTracker.ts) against each other actor; `thw` and `dst` against its lead; its own `speed`,
 * `accel` and `jerk`.
 */
export interface Objective {
  name: string;
  /** As written. */
  text: string;
  aggregate: 'min' | 'max';
  metric: ObjectiveMetric;
  /** Only ticks against this actor (pair and lead metrics). */
  actor?: string;
  offset: number;
}

export const PAIR_METRICS = ['ttc', 'distance', 'ttce', 'dce', 'pet'] as const;
export const LEAD_METRICS = ['thw', 'dst'] as const;
export const EGO_METRICS = ['speed', 'accel', 'jerk'] as const;
export const OBJECTIVE_METRICS = [...PAIR_METRICS, ...LEAD_METRICS, ...EGO_METRICS] as const;
export type ObjectiveMetric = (typeof OBJECTIVE_METRICS)[number];

const FORM = /^(min|max)\s*\(\s*([a-z_]+)\s*(?:,\s*([^\s,()]+)\s*)?\)\s*(?:([+-])\s*((?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?))?$/i;

/**
 * An objective from its text, or why it cannot be one: a message naming what was expected
 * (the caller says where). `actors`: the scenario's actor ids, which an objective may name.
 */
export function parseObjective(name: string, text: string, actors: readonly string[]): Objective | string {
  const t = text.trim();
  if (t === 'collision') return { name, text, aggregate: 'min', metric: 'distance', offset: 0 };
  const m = FORM.exec(t);
  if (!m) return `"${text}" is not an objective: expected min(<metric>) or max(<metric>), optionally with an actor (min(ttc, cutter)) and "+ <number>" or "- <number>", or collision`;
  const metric = m[2].toLowerCase();
  if (!(OBJECTIVE_METRICS as readonly string[]).includes(metric)) return `unknown metric "${m[2]}" (metrics: ${OBJECTIVE_METRICS.join(', ')})`;
  const actor = m[3];
  if (actor !== undefined) {
    if ((EGO_METRICS as readonly string[]).includes(metric)) return `"${metric}" is the ego's own; it takes no actor`;
    if (!actors.includes(actor)) return `no actor "${actor}" in the scenario (actors: ${actors.join(', ')})`;
  }
  const offset = m[4] === undefined ? 0 : (m[4] === '-' ? -1 : 1) * Number(m[5]);
  return { name, text, aggregate: m[1].toLowerCase() as 'min' | 'max', metric: metric as ObjectiveMetric, ...(actor !== undefined ? { actor } : {}), offset };
}

/** Named objectives (`objectives:` of a scenario, a search's `--objective`), each parsed, or `refuse`d with its name and why. */
export function parseObjectives(defs: Readonly<Record<string, string>>, actors: readonly string[], refuse: (name: string, message: string) => never): Objective[] {
  return Object.entries(defs).map(([name, text]) => {
    const objective = parseObjective(name, text, actors);
    return typeof objective === 'string' ? refuse(name, objective) : objective;
  });
}
