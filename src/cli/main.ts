#!/usr/bin/env node
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isUserError } from '../core/errors.js';
import { ROADCAST_VERSION } from '../core/version.js';
import { DEFAULT_PORT, RunControl, type FrameServer, runStaticScene, type FoxgloveBridge, loadRig, loadScenarioFile, McapRecorder, runScenario, type FrameSink } from '../index.js';
import { addMapCommands } from './mapCommands.js';
import { addRecordingCommands } from './recordingCommands.js';
import { addScenarioCommands, paramFlags } from './scenarioCommands.js';
import { addMapGenerateCommand } from './mapGenerate.js';
import { nonNegativeInteger, port, positiveInteger, positiveSeconds } from './options.js';
import { addFoxgloveOptions, sharedScene, startFoxglove, startFrameServer } from './viewerOptions.js';

interface RunFlags {
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

async function run(scenarioFile: string, flags: RunFlags): Promise<void> {
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
    if (flags.serve) {
      server = await startFrameServer(flags, control, scene, (url) => `Serving frames on ${url}`);
      sinks.push(server);
    }
    const topics = [...rig.sensors.map((s) => ({ topic: `${s.type}/${s.name}`, kind: s.type })), { topic: 'events', kind: 'events' }];
    foxglove = await startFoxglove(flags, topics, scene);
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

function buildProgram(): Command {
  const program = new Command('roadcast')
    .description('Driving-sensor simulator: OpenDRIVE roads, scripted scenarios, raycast LiDAR, live WebSocket streams and MCAP recordings.')
    .version(ROADCAST_VERSION)
    .showSuggestionAfterError()
    .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') });

  const runCommand = program.command('run')
    .description('Run a scenario and stream and/or record every sensor frame.')
    .argument('<scenario>', 'scenario file: YAML, JSON, OpenSCENARIO .xosc or TypeScript .ts')
    .option('--param <name=value>', 'set a scenario parameter (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--seed <n>', 'random seed (default: the scenario\'s)', nonNegativeInteger)
    .option('--duration <s>', 'simulated seconds to run (default: the scenario\'s)', positiveSeconds)
    .option('--rig <file>', 'sensor rig file (default: the one the scenario names)')
    .option('--record <file>', 'write every frame to this MCAP file (written whole or not at all)')
    .option('--serve', 'stream every frame to WebSocket clients, and serve the browser viewer at http://HOST:PORT/')
    .addOption(new Option('--host <host>', 'address to serve on').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to serve on (0: any free port)').default(DEFAULT_PORT).argParser(port))
    .option('--realtime', 'pace the simulation to the wall clock (for live viewing)')
    .option('--threads <n>', 'threads the sensors raycast on (default: one per core; output is identical for any number)', positiveInteger)
    .option('--token <secret>', 'require clients to give this token (?token=... or Authorization: Bearer ...)');
  addFoxgloveOptions(runCommand).action(run);

  addRecordingCommands(program);
  addScenarioCommands(program);

  const map = addMapCommands(program);
  addMapGenerateCommand(map);

  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // Commander has already printed its one-line message (or the help).
      return (error as { exitCode?: number }).exitCode ?? 1;
    }
    if (isUserError(error)) {
      console.error(`roadcast: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv);
