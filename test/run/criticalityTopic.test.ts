// The metrics topic and the run's criticality summary, on the bundled straight road: the ego at
// 10 m/s behind a lead at 7 m/s (25 m apart, centre to centre), an oncoming car in the other lane.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { closingMetadata, loadRunInputs } from '../../src/run/RunInputs.js';
import { runScenario, runTopics } from '../../src/run/runScenario.js';
import { METRICS_TOPIC } from '../../src/sensors/MetricsTopic.js';

describe('criticality of a run', () => {
  it('publishes the ego\'s metrics at 10 Hz and sums the run up in its closing metadata', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-metrics-'));
    const rig = join(dir, 'rig.yaml');
    writeFileSync(rig, 'sensors:\n  - { name: imu, type: imu, rate: 10 }\n');
    const inputs = await loadRunInputs('scenarios/straight-road.yaml', { rig, duration: 2 });
    expect(runTopics(inputs.rig).map((t) => t.topic)).not.toContain(METRICS_TOPIC);
    expect(runTopics(inputs.rig, undefined, { metrics: true }).map((t) => t.topic)).toContain(METRICS_TOPIC);
    const frames: Frame[] = [];
    const summary = await runScenario({ scenario: inputs.scenario, rig: inputs.rig, seed: inputs.seed, duration: 2, threads: 1, metrics: true, sinks: [{ write: (f: Frame) => { if (f.topic === METRICS_TOPIC) frames.push(f); } }], models: inputs.models });
    // 2 s at 10 Hz from the first step.
    expect(frames.length).toBe(20);
    for (const f of frames) {
      expect(f.fields.lead).toBe('lead');
      // Both keep their speeds: the ego closes at 3 m/s, so TTC = headway / 3 and THW = headway / 10.
      const headway = f.fields.lead_headway as number;
      expect(f.fields.lead_thw as number).toBeCloseTo(headway / 10, 6);
      const others = f.fields.others as string[];
      const pairs = fieldArray(f.data.pairs);
      expect(pairs[others.indexOf('lead') * 4 + 1]).toBeCloseTo(headway / 3, 3);
      expect(summary.criticality.min_thw).toBeLessThanOrEqual((f.fields.lead_thw as number) + 1e-12);
    }
    // Headway shrinks by 0.3 m a tenth of a second.
    expect((frames[0].fields.lead_headway as number) - (frames[10].fields.lead_headway as number)).toBeCloseTo(3, 3);
    const meta = JSON.parse(closingMetadata(summary).criticality);
    expect(meta.min_thw).toBeCloseTo(summary.criticality.min_thw, 12);
    expect(meta.max_dst).toBeGreaterThan(0);
    expect(meta.first_infraction).toBeUndefined();
  });
});
