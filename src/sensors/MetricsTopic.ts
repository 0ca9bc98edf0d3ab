import { arrayField, FRAME_VERSION, type Frame } from '../core/frame.js';
import type { CriticalityMonitor } from '../sim/CriticalityMonitor.js';
import { SensorSchedule } from './SensorSchedule.js';

/** The topic of the ego's criticality metrics. */
export const METRICS_TOPIC = 'metrics';
/** How often the metrics go out (Hz). */
export const METRICS_RATE_HZ = 10;

/**
 * The ego's criticality metrics (sim/CriticalityMonitor.ts, defined in sim/Criticality.ts) as a
 * topic at 10 Hz: the ego's speed, acceleration and jerk and its lead's headway, THW and DST as
 * fields; for every other actor (by id) its footprint distance, TTC, time to and distance of
 * the closest encounter as rows of `pairs` (float64: distance, ttc, ttce, dce; ∞ where never);
 * and the PETs completed since the last frame (`pet`, float64 s, with `pet_others` and
 * `pet_areas`: whom and which conflict area).
 */
export class MetricsTopic {
  private readonly schedule = new SensorSchedule(METRICS_RATE_HZ);
  /** How many of the monitor's PETs earlier frames carried. */
  private petsSent = 0;

  constructor(private readonly monitor: CriticalityMonitor) {}

  advance(tNs: number): Frame | undefined {
    const m = this.monitor.latest;
    if (!m || !this.schedule.isDue(tNs)) return undefined;
    const pairs = new Float64Array(m.others.length * 4);
    m.others.forEach((p, i) => pairs.set([p.distance, p.ttc, p.ttce, p.dce], i * 4));
    // The PETs completed since the last frame (each once), with whom and where.
    const pets = this.monitor.petLog.slice(this.petsSent);
    this.petsSent = this.monitor.petLog.length;
    return {
      v: FRAME_VERSION,
      topic: METRICS_TOPIC,
      kind: 'metrics',
      seq: this.schedule.fire(tNs),
      t_ns: tNs,
      frame_id: 'world',
      pose: { p: [0, 0, 0], q: [0, 0, 0, 1] },
      fields: {
        speed: m.speed,
        accel: m.accel,
        jerk: m.jerk,
        ...(m.lead ? { lead: m.lead.id, lead_headway: m.lead.headway, lead_thw: m.lead.thw, lead_dst: m.lead.dst } : {}),
        others: m.others.map((p) => p.id),
        ...(pets.length > 0 ? { pet_others: pets.map((p) => p.id), pet_areas: pets.map((p) => p.area) } : {}),
      },
      data: { pairs: arrayField(pairs, [m.others.length, 4]), ...(pets.length > 0 ? { pet: arrayField(Float64Array.from(pets, (p) => p.pet), [pets.length]) } : {}) },
    };
  }
}
