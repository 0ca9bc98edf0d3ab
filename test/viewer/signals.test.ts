/**
 * The viewer draws the map's signals from `ground_truth/signals` in a real browser: signs and
 * a dark light from hand-made frames, and a run on
 * the bundled town (36 traffic lights, 72 walk lights, 36 stop lines) held paused and stepped
 * past its first change of lights, while the test reads the same topic with its own client and
 * compares each lamp the page drew with the state in the last frame.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arrayField, FRAME_VERSION, type Frame } from '../../src/core/frame.js';
import { FrameServer } from '../../src/io/FrameServer.js';
import { RoadcastClient } from '../../src/io/RoadcastClient.js';
import { BROWSER_TEST_MS, HAVE_CHROMIUM, launchChromium, openViewer, POLL, REQUIRE_BROWSER, startHeldRun, WAIT } from './browser.js';

/** The lamp colours the page should draw, written out here rather than taken from the viewer's code. */
const EXPECTED_COLOR: Record<string, string> = { red: '#ff1a1a', amber: '#ffb300', green: '#1aff4d', off: '#4d4d4d' };

/**
 * A hand-made signals frame: a traffic light, a stop sign, a speed limit sign and a stop line,
 * the light in `state`, each facing its own way.
 */
function signalsFrame(seq: number, state: string): Frame {
  const kinds = ['traffic_light', 'stop_sign', 'speed_limit', 'stop_line'];
  return {
    v: FRAME_VERSION, topic: 'ground_truth/signals', kind: 'signals', seq, t_ns: seq * 1_000_000_000, frame_id: 'world',
    pose: { p: [0, 0, 0], q: [0, 0, 0, 1] },
    fields: { ids: ['1', '2', '3', '4'], roads: ['7', '7', '8', '7'], kinds, states: [state, '', '', ''], lanes: ['7:-1', '7:-1', '8:1', '7:-1'] },
    data: {
      positions: arrayField(new Float64Array([10, -4, 0, 12, -4, 0, -5, 4, 0, 10, -1.75, 0]), [4, 3]),
      facing: arrayField(new Float32Array([Math.PI, Math.PI / 2, -1, 0]), [4]),
      sizes: arrayField(new Float32Array([0.45, 3.2, 0.75, 0.75, 0.6, 0.6, 3.5, 0.02]), [4, 2]),
    },
  };
}

/** Only the actors' ground truth: no LiDAR to raycast or draw, so stepping 2 s is quick on two cores. */
const RIG = 'sensors:\n  - name: actors\n    type: ground_truth\n    rate: 10\n';

describe.skipIf(!HAVE_CHROMIUM && !REQUIRE_BROWSER)('the viewer\'s signals (Chromium)', () => {
  it('draws signs as plates turned by their facing, no stop line, and a light that goes off grey', async () => {
    const server = new FrameServer({ port: 0 });
    const { pageUrl } = await server.start();
    const { context, close } = await launchChromium();
    try {
      const { page } = await openViewer(context, pageUrl);
      server.broadcast(signalsFrame(0, 'green'));
      await page.waitForFunction(() => window.roadcastViewer.state().drawn['ground_truth/signals'] === 0, undefined, WAIT);
      const first = (await page.evaluate(() => window.roadcastViewer.state())).signals;
      expect(first.map(({ road, id, kind, state, color }) => ({ road, id, kind, state, color }))).toEqual([
        { road: '7', id: '1', kind: 'traffic_light', state: 'green', color: EXPECTED_COLOR.green },
        { road: '7', id: '2', kind: 'stop_sign', state: '', color: '' },
        { road: '8', id: '3', kind: 'speed_limit', state: '', color: '' },
      ]);
      expect(first.map((s) => s.facing)).toEqual([Math.fround(Math.PI), Math.fround(Math.PI / 2), -1]);
      // The same light in the next frame, now dark.
      server.broadcast(signalsFrame(1, 'off'));
      await page.waitForFunction(() => window.roadcastViewer.state().drawn['ground_truth/signals'] === 1, undefined, WAIT);
      const second = (await page.evaluate(() => window.roadcastViewer.state())).signals;
      expect(second).toHaveLength(3);
      expect(second[0]).toMatchObject({ id: '1', state: 'off', color: EXPECTED_COLOR.off });
    } finally {
      await close();
      await server.close();
    }
  }, BROWSER_TEST_MS);

  it('draws every light of the town in the colour of its state in the last signals frame, and hides them on request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-signals-'));
    const rig = join(dir, 'rig.yaml');
    writeFileSync(rig, RIG);
    const serving = await startHeldRun(['run', 'scenarios/default.yaml', '--rig', rig, '--serve', '--realtime', '--port', '0', '--duration', '10']);
    const { control } = serving;
    // The test's own view of the topic, read as the frames come.
    const client = await RoadcastClient.connect(serving.url, { topics: ['ground_truth/signals'] });
    const frames: Frame[] = [];
    const reading = (async () => {
      for await (const frame of client) frames.push(frame);
    })();
    const { context, close } = await launchChromium();
    try {
      const { page, errors } = await openViewer(context, serving.url.replace('ws://', 'http://') + '/');

      // The town's first change of lights comes 1.8 s in (its junctions' seeded offsets): 2 s of
      // steps take the run past it, so the page must have applied a later frame, not only the first.
      control.send({ type: 'step', ticks: 200 });
      await expect.poll(() => (client.state?.paused && client.state.t_ns >= 1_900_000_000) || false, POLL).toBe(true);
      // The server sends the state after every frame before it: the test has the last frame now.
      const last = frames.at(-1)!;
      expect(frames[0].kind).toBe('signals');
      expect((last.fields.states as string[]).join()).not.toBe((frames[0].fields.states as string[]).join());
      await page.waitForFunction((seq) => window.roadcastViewer.state().drawn['ground_truth/signals'] === seq, last.seq, WAIT);

      const drawn = (await page.evaluate(() => window.roadcastViewer.state())).signals;
      expect(drawn.filter((s) => s.kind === 'traffic_light')).toHaveLength(36);
      expect(drawn.filter((s) => s.kind === 'pedestrian_light')).toHaveLength(72);
      // Stop lines are markings the map shows: the page draws nothing for them.
      expect(drawn).toHaveLength(108);
      const ids = last.fields.ids as string[];
      const roads = last.fields.roads as string[];
      const states = last.fields.states as string[];
      const stateOf = new Map(ids.map((id, i) => [`${roads[i]}/${id}`, states[i]]));
      for (const signal of drawn) {
        const state = stateOf.get(`${signal.road}/${signal.id}`);
        expect({ signal: `${signal.road}/${signal.id}`, state: signal.state, color: signal.color }).toEqual({ signal: `${signal.road}/${signal.id}`, state, color: EXPECTED_COLOR[state!] });
      }
      // Both colours a junction shows at once are there (and amber, when the frame has it).
      const shown = new Set(drawn.map((s) => s.color));
      for (const state of new Set(states.filter((s) => s !== ''))) expect(shown).toContain(EXPECTED_COLOR[state]);
      expect(shown.has(EXPECTED_COLOR.red) && shown.has(EXPECTED_COLOR.green)).toBe(true);

      // The layer's toggle in the panel.
      expect((await page.evaluate(() => window.roadcastViewer.state())).signalsVisible).toBe(true);
      await page.click('#show-signals', WAIT);
      await expect.poll(() => page.evaluate(() => window.roadcastViewer.state().signalsVisible), POLL).toBe(false);
      await page.click('#show-signals', WAIT);
      await expect.poll(() => page.evaluate(() => window.roadcastViewer.state().signalsVisible), POLL).toBe(true);
      expect(errors).toEqual([]);
      // For a look by eye: the junction ahead of the ego, its lamps lit.
      mkdirSync('test-output', { recursive: true });
      await page.screenshot({ path: 'test-output/viewer-signals.png' });
    } finally {
      await close();
      client.close();
      control.close();
      serving.child.kill('SIGINT');
      await reading.catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  }, BROWSER_TEST_MS);
});
