/**
 * A run that falls behind the wall clock says so: RealtimeMonitor measures the factor over a
 * sliding window (driven here by made-up clock readings, so nothing is timed), and `roadcast
 * run --realtime` warns on stderr and tells its clients in a stats message.
 */
import { describe, expect, it } from 'vitest';
import { RoadcastClient } from '../../src/io/RoadcastClient.js';
import { pacingWarning, RealtimeMonitor, type PacingReport } from '../../src/run/RealtimeMonitor.js';
import { startServing } from '../helpers.js';

/** Feeds 10 ms ticks that each take `wallPerTickMs` of wall time, from (wallMs, simNs); returns the reports and where it ended. */
function feed(monitor: RealtimeMonitor, from: { wallMs: number; simNs: number }, ticks: number, wallPerTickMs: number, target = 1): { reports: (PacingReport & { at: number })[]; wallMs: number; simNs: number } {
  const reports: (PacingReport & { at: number })[] = [];
  let { wallMs, simNs } = from;
  for (let i = 0; i < ticks; i++) {
    wallMs += wallPerTickMs;
    simNs += 10_000_000;
    const report = monitor.sample(wallMs, simNs, target);
    if (report) reports.push({ ...report, at: wallMs });
  }
  return { reports, wallMs, simNs };
}

describe('RealtimeMonitor', () => {
  it('measures simulated over wall time, reports once a second after the first two, and keeps quiet on time', () => {
    const monitor = new RealtimeMonitor();
    // 10 ms of simulation every 10 ms of wall time: real time.
    const { reports } = feed(monitor, { wallMs: 1000, simNs: 0 }, 1000, 10);
    // The first sample is at 1010 ms; the window must span 2 s before the first report.
    expect(reports.map((r) => r.at)).toEqual([3010, 4010, 5010, 6010, 7010, 8010, 9010, 10010]);
    for (const report of reports) expect(report).toMatchObject({ factor: 1, target: 1, behind: false, warn: false });
  });

  it('finds a run at 0.42x behind, warns at once and then every 10 s at most', () => {
    const monitor = new RealtimeMonitor();
    // 10 ms of simulation take 10 / 0.42 ms of wall time.
    const { reports } = feed(monitor, { wallMs: 0, simNs: 0 }, 1500, 10 / 0.42);
    expect(reports.length).toBeGreaterThan(30);
    for (const report of reports) {
      expect(report.factor).toBeCloseTo(0.42, 9);
      expect(report.behind).toBe(true);
    }
    const warnings = reports.filter((r) => r.warn).map((r) => r.at);
    expect(warnings.length).toBe(4);
    expect(warnings[0]).toBe(reports[0].at);
    for (let i = 1; i < warnings.length; i++) expect(warnings[i] - warnings[i - 1]).toBeGreaterThanOrEqual(10_000);
    expect(pacingWarning(reports[0])).toBe('running at 0.42x real time (the sensors take longer than the wall clock allows)');
  });

  it('measures over the last seconds, not since the start: a run that catches up says so within the window', () => {
    const monitor = new RealtimeMonitor({ windowMs: 5000 });
    // 60 s behind at 0.25x, then on time again.
    const slow = feed(monitor, { wallMs: 0, simNs: 0 }, 1500, 40);
    expect(slow.reports[slow.reports.length - 1]).toMatchObject({ factor: 0.25, behind: true });
    const fast = feed(monitor, slow, 2000, 10);
    // Since the start the run would still be far behind (15 s + 20 s simulated in 80 s);
    // over the last 5 s of wall time it is on time.
    const settled = fast.reports.filter((r) => r.at >= slow.wallMs + 5000);
    expect(settled.length).toBeGreaterThan(3);
    for (const report of settled) expect(report).toMatchObject({ factor: 1, behind: false, warn: false });
    // Behind again (0.5x), long after the last warning: warned at once.
    const again = feed(monitor, fast, 400, 20);
    const behind = again.reports.filter((r) => r.behind);
    expect(behind.length).toBeGreaterThan(0);
    expect(behind[0].warn).toBe(true);
  });

  it('compares with the rate asked for, and starts afresh after a pause', () => {
    const monitor = new RealtimeMonitor();
    const asked = feed(monitor, { wallMs: 0, simNs: 0 }, 500, 5, 2);
    expect(asked.reports[asked.reports.length - 1]).toMatchObject({ factor: 2, target: 2, behind: false });
    const short = feed(monitor, asked, 800, 10, 4);
    const last = short.reports[short.reports.length - 1];
    expect(last).toMatchObject({ factor: 1, target: 4, behind: true });
    expect(pacingWarning(last)).toBe('running at 1.00x real time, 4x asked (the sensors take longer than the wall clock allows)');
    // A minute paused is no lag: after reset the window starts again.
    monitor.reset();
    const resumed = feed(monitor, { wallMs: short.wallMs + 60_000, simNs: short.simNs }, 300, 10);
    expect(resumed.reports.length).toBeGreaterThan(0);
    expect(resumed.reports.every((r) => r.factor === 1 && !r.behind)).toBe(true);
  });
});

describe('roadcast run --realtime behind the wall clock', () => {
  it('warns on stderr with the factor and sends it to the clients in stats', async () => {
    const { child, url } = await startServing(['run', 'scenarios/straight-road.yaml', '--serve', '--realtime', '--port', '0', '--duration', '600']);
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    try {
      const client = await RoadcastClient.connect(url, { topics: ['events'] });
      // A thousand times real time: no machine keeps that up with a LiDAR to cast.
      client.send({ type: 'rate', factor: 1000 });
      await expect.poll(() => client.stats?.realtime?.behind, { timeout: 60_000 }).toBe(true);
      const realtime = client.stats!.realtime!;
      expect(realtime.target).toBe(1000);
      expect(realtime.factor).toBeGreaterThan(0);
      expect(realtime.factor).toBeLessThan(950);
      await expect.poll(() => stderr, { timeout: 60_000 }).toMatch(/roadcast: warning: running at \d+\.\d\dx real time, 1000x asked \(the sensors take longer than the wall clock allows\)\n/);
      expect(stderr.split('\n').filter((line) => line.startsWith('roadcast: warning: running at')).length).toBeGreaterThanOrEqual(1);
      client.close();
    } finally {
      child.kill('SIGINT');
    }
  });
});
