#!/usr/bin/env node
import { Command, Option } from 'commander';
import { isUserError } from '../core/errors.js';
import { ROADCAST_VERSION } from '../core/version.js';
import { DEFAULT_PORT } from '../io/defaults.js';
import { addMapCommands } from './mapCommands.js';
import { addRecordingCommands } from './recordingCommands.js';
import { addScenarioCommands } from './scenarioCommands.js';
import { addMapGenerateCommand } from './mapGenerate.js';
import { addBackendOptions, addServeOptions, FAIL_ON, nonNegativeInteger, port, positiveInteger, positiveSeconds, stepSeconds } from './options.js';
import { addInitCommand } from './initCommand.js';
import { addWorkerCommand } from './queueCommands.js';
import type { RunFlags } from './run.js';

function buildProgram(): Command {
  const program = new Command('roadcast')
    .description('Driving-sensor simulator: OpenDRIVE roads, scripted scenarios, raycast LiDAR, live WebSocket streams and MCAP recordings.')
    .version(ROADCAST_VERSION)
    .showSuggestionAfterError()
    // One line per mistake, with commander's suggestion of the nearest command or flag on it.
    .configureOutput({ outputError: (text, write) => write(`roadcast: ${text.trim().split('\n').map((line) => line.trim()).join(' ').replace(/^error: /, '')}\n`) });

  const runCommand = program.command('run')
    .description('Run a scenario and stream and/or record every sensor frame.')
    .argument('<scenario>', 'scenario file: YAML, JSON, OpenSCENARIO .xosc or TypeScript .ts')
    .option('--param <name=value>', 'set a scenario parameter (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--seed <n>', 'random seed (default: the scenario\'s)', nonNegativeInteger)
    .option('--duration <s>', 'simulated seconds to run (default: the scenario\'s)', positiveSeconds)
    .option('--step <s>', 'fixed simulation step in seconds, for any scenario (default: the scenario\'s; 0.01 for OpenSCENARIO)', stepSeconds)
    .option('--rig <file>', 'sensor rig file (default: the one the scenario names)')
    .option('--no-dressing', 'no roadside objects (buildings, street lights, trees, parked cars), whatever the scenario says')
    .option('--record <file>', 'write every frame to this MCAP file, written whole (what fits is kept as FILE.partial if the disk fills; default: out/<scenario>.mcap unless serving)')
    .option('--no-record', 'record nothing (with --serve: only stream)')
    .addOption(new Option('--record-format <format>', 'what the recording holds: roadcast (the frames, which replay, export and inspect read) or ros2 (standard ROS 2 messages in CDR, a bag ROS 2 tools play; as `export --format ros2` writes)').choices(['roadcast', 'ros2']).default('roadcast'))
    .addOption(new Option('--fail-on <outcome...>', 'exit with status 2 when the run ends so (repeatable): failure (the storyboard says so), collision (any), timeout (the duration ran out first)').choices(FAIL_ON))
    .option('--serve', 'stream every frame to WebSocket clients, and serve the browser viewer at http://HOST:PORT/')
    .addOption(new Option('--host <host>', 'address to serve on').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to serve on (0: any free port)').default(DEFAULT_PORT).argParser(port))
    .option('--realtime', 'pace the simulation to the wall clock (for live viewing)')
    .option('--threads <n>', 'threads the sensors raycast on (default: one per core; output is identical for any number)', positiveInteger)
    .option('--metrics', 'publish the ego\'s criticality metrics (TTC, THW, DST, closest encounter, jerk) on the metrics topic at 10 Hz');
  addBackendOptions(runCommand);
  addServeOptions(runCommand).action(async (file: string, flags: RunFlags) => (await import('./run.js')).run(file, flags));

  addRecordingCommands(program);
  addScenarioCommands(program);
  addWorkerCommand(program);
  addInitCommand(program);

  const map = addMapCommands(program);
  addMapGenerateCommand(map);

  return program;
}

/**
 * Errors no command awaited (from a socket callback, a promise nobody holds): a UserError is
 * still one line, anything else a bug with its stack, and both exit 1. WebAssembly modules
 * that add handlers of their own have them removed when they load (io/decompressors.ts).
 */
function reportUncaught(error: unknown): void {
  if (isUserError(error)) console.error(`roadcast: ${error.message}`);
  else console.error(error);
  process.exit(1);
}
process.on('uncaughtException', reportUncaught);
process.on('unhandledRejection', reportUncaught);

async function main(argv: string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
    // A command that finished but must report failure (`run --fail-on`) sets its own status.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
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
