import type { RunResult, SweepIndex } from './Sweep.js';

/**
 * A sweep's index as CSV (RFC 4180: comma-separated, CRLF line ends, fields with a comma, quote
 * or line break quoted, quotes doubled), one row per run for spreadsheets and pandas: id, seed,
 * outcome and its reason and time, one `param.<name>` column per parameter, the criticality
 * summary (min_ttc, min_thw, max_dst, min_distance, min_pet, first_infraction, first_infraction_type),
 * one `objective.<name>` column per objective, the counts of collisions and events, the
 * recording and the error. A metric never measured (min TTC of a run where nothing closed)
 * is `inf`, as Python and pandas read it; a value a run does not have is empty. index.json
 * stays the sweep's own record (what a resumed sweep reads); this is written beside it.
 */
export function indexCsv(index: SweepIndex): string {
  const params = unionOf(index.runs.map((r) => Object.keys(r.params)));
  const objectives = unionOf(index.runs.map((r) => Object.keys(r.criticality?.objectives ?? {})));
  const header = [
    'id', 'seed', 'outcome', 'outcome_reason', 'outcome_t_s',
    ...params.map((p) => `param.${p}`),
    'min_ttc', 'min_thw', 'max_dst', 'min_distance', 'min_pet', 'first_infraction', 'first_infraction_type',
    ...objectives.map((o) => `objective.${o}`),
    'collisions', 'events', 'recording', 'error',
  ];
  const row = (r: RunResult): unknown[] => {
    const c = r.criticality;
    const reason = 'reason' in r.outcome ? r.outcome.reason : undefined;
    const t = 't_ns' in r.outcome && r.outcome.t_ns !== undefined ? r.outcome.t_ns / 1e9 : undefined;
    return [
      r.id, r.seed, r.outcome.result, reason, t,
      ...params.map((p) => r.params[p]),
      c?.min_ttc, c?.min_thw, c?.max_dst, c?.min_distance, c?.min_pet, c?.first_infraction, c?.first_infraction_type,
      ...objectives.map((o) => c?.objectives?.[o]),
      r.events.filter((e) => e.type === 'collision').length, r.events.length, r.recording, r.error,
    ];
  };
  return [header, ...index.runs.map(row)].map((cells) => cells.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** The keys of every list, each once, in order of first appearance. */
function unionOf(lists: readonly string[][]): string[] {
  return [...new Set(lists.flat())];
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return value === Infinity ? 'inf' : value === -Infinity ? '-inf' : Number.isNaN(value) ? 'nan' : String(value);
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
