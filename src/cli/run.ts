/**
 * The `run` command's action: load the scenario and rig, start the servers and the recorder
 * it asks for, run, and report the outcome. Loaded only when `run` is called.
 */
import { basename, extname, join, relative } from 'node:path';
import { RunControl, type FrameServer, runStaticScene, type FoxgloveBridge, closingMetadata, describeBackend, loadRunInputs, type RaycastBackendName, type RecordFormat, RecorderThread, type Recorder, recordingOptions, runOutcome, runScenario, runTopics, type FrameSink, type RunSummary } from '../index.js';
import { FAILED_RUN_EXIT, type FailOn, type FoxgloveFlags, type ServeFlags } from './options.js';
import { paramFlags } from './scenarioCommands.js';
import { sharedScene, startFoxglove, startFrameServer, warnWhenBehind } from './serving.js';

export interface RunFlags extends ServeFlags, FoxgloveFlags {
  seed?: number;
  duration?: number;
  /** --step: the fixed simulation step (s), overriding the scenario's. */
  step?: number;
  rig?: string;
  /** A file, or false for --no-record; absent: a default file unless serving. */
  record?: string | false;
  /** --record-format: roadcast frames (the default) or ROS 2 messages. */
  recordFormat?: RecordFormat;
  serve?: boolean;
  realtime?: boolean;
  param?: string[];
  threads?: number;
  /** --metrics: the metrics topic at 10 Hz. */
  metrics?: boolean;
  failOn?: FailOn[];
  /** false with --no-dressing. */
  dressing: boolean;
  /** --backend: what the LiDAR and radar raycast on (default cpu). */
  backend?: RaycastBackendName;
  gpuAdapter?: string;
}

/**
 * Where a run records: the file given, nothing with --no-record or when it only serves, and
 * otherwise out/<scenario>.mcap, so that a plain `roadcast run x.yaml` keeps what it made.
 */
export function recordingPath(scenarioFile: string, flags: Pick<RunFlags, 'record' | 'serve' | 'foxglove'>): string | undefined {
  if (typeof flags.record === 'string') return flags.record;
  if (flags.record === false || flags.serve || flags.foxglove) return undefined;
  return join('out', `${basename(scenarioFile, extname(scenarioFile))}.mcap`);
}

export async function run(scenarioFile: string, flags: RunFlags): Promise<void> {
  const inputs = await loadRunInputs(scenarioFile, { params: paramFlags(flags.param), rig: flags.rig, seed: flags.seed, duration: flags.duration, step: flags.step, dressing: flags.dressing });
  const { scenario, rig, seed, duration } = inputs;
  for (const warning of scenario.warnings) console.error(`roadcast: warning: ${warning}`);
  const recordTo = recordingPath(scenarioFile, flags);
  if (recordTo === undefined && !flags.serve && !flags.foxglove) {
    console.error('roadcast: warning: --no-record without --serve or --foxglove: the frames are computed and discarded');
  }
  const sinks: FrameSink[] = [];
  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let server: FrameServer | undefined;
  let foxglove: FoxgloveBridge | undefined;
  let recorder: Recorder | undefined;
  // What the sensors see (road, ground, dressing), built once if a viewer asks for it.
  const scene = sharedScene(() => runStaticScene(scenario.network, seed, { buildings: scenario.buildings, furniture: scenario.furniture }));
  try {
    const control = new RunControl(flags.realtime);
    warnWhenBehind(control);
    if (flags.serve) {
      server = await startFrameServer(flags, control, scene, (url) => `Serving frames on ${url}`);
      sinks.push(server);
    }
    // The bridge advertises every channel of the rig (a camera's images too) at connection.
    foxglove = await startFoxglove(flags, runTopics(rig, scenario.network, { metrics: flags.metrics }), scene);
    if (foxglove) sinks.push(foxglove);
    if (recordTo) {
      // Encoding, compression and the disk on a thread of their own, beside the simulation.
      recorder = await RecorderThread.open(recordTo, { ...recordingOptions(inputs), format: flags.recordFormat ?? 'roadcast' });
      sinks.push(recorder);
    }
    const summary = await runScenario({
      scenario, rig, seed, duration, sinks, control, signal: interrupt.signal, threads: flags.threads, metrics: flags.metrics,
      backend: flags.backend, gpuAdapter: flags.gpuAdapter,
      // Said only when the GPU was asked about: a plain CPU run prints what it always did.
      onRaycastBackend: (info) => {
        if ((flags.backend ?? 'cpu') !== 'cpu') console.log(describeBackend(info));
      },
    });
    if (recorder) {
      await recorder.addMetadata(closingMetadata(summary));
      await recorder.close();
    }
    recorder = undefined;
    const counts = Object.entries(summary.frames).map(([topic, n]) => `${topic}: ${n}`).join(', ');
    const verb = summary.interrupted ? 'Interrupted after' : 'Ran';
    console.log(`${verb} ${summary.simulatedSeconds.toFixed(2)} s of "${scenario.name}" (seed ${seed}): ${counts} frames`);
    const outcome = runOutcome(summary);
    console.log(`Outcome: ${outcome.result} at ${(outcome.t_ns / 1e9).toFixed(2)} s (${outcome.reason})`);
    if (recordTo) {
      console.log(`Recorded to ${recordTo}`);
      const shown = relative(process.cwd(), recordTo);
      console.log(`Inspect it with: npx roadcast inspect ${shown.startsWith('..') ? recordTo : shown}`);
    }
    const failed = failedBy(summary, flags.failOn ?? []);
    if (failed) {
      console.error(`roadcast: the run failed (--fail-on ${failed})`);
      process.exitCode = FAILED_RUN_EXIT;
    }
  } finally {
    if (recorder) await recorder.abort();
    if (server) await server.close();
    if (foxglove) await foxglove.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The first `--fail-on` condition the run met, if any. */
export function failedBy(summary: RunSummary, failOn: readonly FailOn[]): FailOn | undefined {
  const result = runOutcome(summary).result;
  return failOn.find((condition) => {
    switch (condition) {
      case 'failure': return result === 'failure';
      case 'timeout': return result === 'timeout';
      case 'collision': return summary.events.some((e) => e.type === 'collision');
    }
  });
}
