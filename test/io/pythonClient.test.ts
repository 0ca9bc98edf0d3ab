import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RoadcastClient } from '../../src/io/RoadcastClient.js';
import { exited, startServing } from '../helpers.js';
import { CONSUMER_PYTHON, consumersAvailable } from '../pythonConsumers.js';

/**
 * The Python package (clients/python) against the real thing: its pytest suite reads a recording
 * the built CLI makes and talks to runs the CLI serves, of the fixture scenario and rig that the
 * Python tests also read to work out what the frames must be.
 */
const CLI = 'dist/cli/main.js';
const SCENARIO = 'clients/python/tests/fixtures/scenario.json';
const TOKEN = 'python-client-test';
/** The short run whose end the Python client must see as the end of its iteration. */
const SHORT_DURATION_S = 4;
const dir = mkdtempSync(join(tmpdir(), 'roadcast-python-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const available = consumersAvailable('roadcast', 'pytest', 'websockets', 'mcap', 'zstandard');

describe.skipIf(!available)('the Python package roadcast', () => {
  it('passes its pytest suite against a real server and a real recording', async () => {
    const recording = join(dir, 'run.mcap');
    const record = spawnSync(process.execPath, [CLI, 'run', SCENARIO, '--no-dressing', '--record', recording], { encoding: 'utf8' });
    expect(record.stderr).toBe('');
    expect(record.status).toBe(0);
    const serve = (duration: number) => startServing(['run', SCENARIO, '--no-dressing', '--serve', '--port', '0', '--realtime', '--duration', String(duration), '--token', TOKEN]);
    // The shared run outlasts the suite; the tests pause and step it as they need.
    const [long, short] = await Promise.all([serve(300), serve(SHORT_DURATION_S)]);
    try {
      // Paused at once, so the Python test sees the short run's whole remainder and its end.
      // Subscribed to no topic of the run: it only controls.
      const control = await RoadcastClient.connect(short.url, { token: TOKEN, topics: ['no-such-topic'] });
      control.send({ type: 'pause' });
      while (!control.state?.paused) await new Promise((resolve) => setTimeout(resolve, 10));
      control.close();
      const pytest = spawn(CONSUMER_PYTHON!, ['-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-rs', 'clients/python/tests'], {
        env: {
          ...process.env,
          ROADCAST_TEST_RECORDING: recording,
          ROADCAST_TEST_URL: long.url,
          ROADCAST_TEST_SHORT_URL: short.url,
          ROADCAST_TEST_SHORT_DURATION_S: String(SHORT_DURATION_S),
          ROADCAST_TEST_TOKEN: TOKEN,
          PYTHONDONTWRITEBYTECODE: '1',
        },
      });
      let output = '';
      pytest.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      pytest.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await exited(pytest);
      expect({ code, output }).toMatchObject({ code: 0 });
      // pytest's closing line: every test ran and passed, none skipped for want of a server.
      const summary = output.trim().split('\n').filter((line) => /\d+ passed/.test(line)).pop() ?? '';
      expect({ summary, output }).toMatchObject({ summary: expect.stringMatching(/^\d+ passed(, \d+ warnings?)? in [\d.]+s$/) });
    } finally {
      for (const server of [long, short]) {
        server.child.kill('SIGTERM');
        await exited(server.child);
      }
    }
  });
});
