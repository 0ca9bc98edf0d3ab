/**
 * The `run` command's action: load the scenario and rig, start the servers and the recorder
 * it asks for, run, and report. Loaded only when `run` is called.
 */
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROADCAST_VERSION } from '../core/version.js';
import { RunControl, type FrameServer, runStaticScene, type FoxgloveBridge, loadRig, loadScenarioFile, McapRecorder, pacingWarning, runScenario, runTopics, type FrameSink } from '../index.js';
import { paramFlags } from './scenarioCommands.js';
import { sharedScene, startFoxglove, startFrameServer } from './serving.js';

export interface RunFlags {
  seed?: number;
  duration?: number;
  rig?: string;
  record?: string;
  serve?: boolean;
  host: string;
  port: number;
  realtime?: boolean;
  token?: string;
  param?: string[];
  foxglove?: boolean;
  foxglovePort: number;
  threads?: number;
}

export async function run(scenarioFile: string, flags: RunFlags): Promise<void> {
  const scenario = await loadScenarioFile(scenarioFile, { params: paramFlags(flags.param) });
  for (const warning of scenario.warnings) console.error(`roadcast: warning: ${warning}`);
  // OpenSCENARIO files have no rig: they get the bundled default one.
  const rigFile = flags.rig ?? scenario.rigFile ?? fileURLToPath(new URL('../../sensors/default.yaml', import.meta.url));
  const rig = loadRig(rigFile);
  const seed = flags.seed ?? scenario.seed;
  const duration = flags.duration ?? scenario.duration;
  const sinks: FrameSink[] = [];
  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let server: FrameServer | undefined;
  let foxglove: FoxgloveBridge | undefined;
  let recorder: McapRecorder | undefined;
  // What the sensors see (road, ground, dressing), built once if a viewer asks for it.
  const scene = sharedScene(() => runStaticScene(scenario.network, seed, scenario.buildings));
  try {
    const control = new RunControl(flags.realtime);
    // A run that cannot keep up with the wall clock says so, on stderr and to its clients.
    control.onPacing((report) => {
      server?.reportPacing(report);
      if (report.warn) console.error(`roadcast: warning: ${pacingWarning(report)}`);
    });
    if (flags.serve) {
      server = await startFrameServer(flags, control, scene, (url) => `Serving frames on ${url}`);
      sinks.push(server);
      control.onState((state) => server?.reportState(state));
    }
    // The bridge advertises every channel of the rig (a camera's images too) at connection.
    foxglove = await startFoxglove(flags, runTopics(rig), scene);
    if (foxglove) sinks.push(foxglove);
    if (flags.record) {
      recorder = await McapRecorder.open(flags.record, {
        metadata: {
          scenario: scenarioFile,
          rig: rigFile === scenario.rigFile ? '(scenario default)' : rigFile,
          map: basename(scenario.mapFile),
          params: JSON.stringify(scenario.parameterValues),
          seed: String(seed),
          duration_s: String(duration),
          roadcast_version: ROADCAST_VERSION,
        },
        attachments: [
          { name: `scenario/${basename(scenarioFile)}`, mediaType: 'application/yaml', data: readFileSync(scenarioFile) },
          { name: `rig/${basename(rigFile)}`, mediaType: 'application/yaml', data: readFileSync(rigFile) },
          { name: `map/${basename(scenario.mapFile)}`, mediaType: 'application/xml', data: readFileSync(scenario.mapFile) },
        ],
      });
      sinks.push(recorder);
    }
    const summary = await runScenario({ scenario, rig, seed, duration, sinks, control, signal: interrupt.signal, threads: flags.threads });
    if (recorder) await recorder.close();
    recorder = undefined;
    const counts = Object.entries(summary.frames).map(([topic, n]) => `${topic}: ${n}`).join(', ');
    const verb = summary.interrupted ? 'Interrupted after' : 'Ran';
    console.log(`${verb} ${summary.simulatedSeconds.toFixed(2)} s of "${scenario.name}" (seed ${seed}): ${counts} frames`);
    if (summary.outcome) console.log(`Outcome: ${summary.outcome.result} at ${(summary.outcome.t_ns / 1e9).toFixed(2)} s (${summary.outcome.reason})`);
    if (flags.record) {
      console.log(`Recorded to ${flags.record}`);
      const shown = relative(process.cwd(), flags.record);
      console.log(`Inspect it with: npx roadcast inspect ${shown.startsWith('..') ? flags.record : shown}`);
    }
  } finally {
    if (recorder) await recorder.abort();
    if (server) await server.close();
    if (foxglove) await foxglove.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
