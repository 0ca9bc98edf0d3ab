import { Option, type Command } from 'commander';
import type { FrameSink } from '../index.js';
import { isUserError } from '../core/errors.js';
import { DEFAULT_PORT } from '../io/defaults.js';
import { addServeOptions, port, positiveNumber, type FoxgloveFlags, type ServeFlags } from './options.js';

async function inspect(file: string, flags: { json?: boolean; recover?: boolean }): Promise<void> {
  const { inspectRecording, recoverRecording } = await import('../index.js');
  const summary = flags.recover ? (await recoverRecording(file, { frames: false })).summary : await inspectRecording(file);
  if (flags.json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  console.log(`${file}`);
  if (summary.recovered) {
    const { readBytes, fileBytes, damagedRecords } = summary.recovered;
    console.log(`  recovered: read ${readBytes} of ${fileBytes} bytes without the index${damagedRecords > 0 ? `, skipping ${damagedRecords} damaged record${damagedRecords === 1 ? '' : 's'}` : ''}`);
  }
  console.log(`  messages: ${summary.messageCount}`);
  console.log(`  duration: ${summary.durationS.toFixed(3)} s`);
  for (const [key, value] of Object.entries(summary.metadata)) console.log(`  ${key}: ${value}`);
  console.log('  topics:');
  for (const topic of summary.topics) {
    console.log(`    ${topic.topic}  ${topic.count} frames  ${topic.rateHz.toFixed(2)} Hz  (${topic.messageEncoding})`);
  }
}

async function replay(file: string, flags: ServeFlags & FoxgloveFlags & { rate: number; loop?: boolean }): Promise<void> {
  const { inspectRecording, MESSAGE_ENCODING, recordingScene, replayRecording, replayTopics, RunControl, UserError } = await import('../index.js');
  const { sharedScene, startFoxglove, startFrameServer, warnWhenBehind } = await import('./serving.js');
  // Read the index first, so a bad file fails before the server starts.
  const summary = await inspectRecording(file);
  if (summary.messageCount > 0 && !summary.topics.some((t) => t.messageEncoding === MESSAGE_ENCODING)) {
    throw new UserError('has no roadcast frames to replay (a ROS 2 recording plays with ros2 bag play; replay takes one made with --record-format roadcast)', file);
  }
  const control = new RunControl(true);
  warnWhenBehind(control);
  // The roads of the map the recording carries (the viewer's and Foxglove's static scene).
  const scene = sharedScene(() => recordingScene(file).catch((error: unknown) => {
    // A damaged map attachment: replay the frames without the map.
    if (!isUserError(error)) throw error;
    console.error(`roadcast: warning: ${error.message}; the viewer and Foxglove show no map`);
    return undefined;
  }));
  const server = await startFrameServer(flags, control, scene, (url) => `Replaying ${file} (${summary.messageCount} frames, ${summary.durationS.toFixed(2)} s) on ${url}`);
  const interrupt = new AbortController();
  const stop = (): void => interrupt.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const foxglove = await (flags.foxglove ? replayTopics(file, summary) : Promise.resolve([])).then((topics) => startFoxglove(flags, topics, scene)).catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  try {
    const sinks: FrameSink[] = foxglove ? [server, foxglove] : [server];
    const sent = await replayRecording({ file, sinks, rate: flags.rate, loop: flags.loop, control, signal: interrupt.signal });
    console.log(`Sent ${sent} frames`);
  } finally {
    await server.close();
    if (foxglove) await foxglove.close();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

async function exportRecording(file: string, flags: { format: string; out: string; topic?: string[]; lidar?: string; camera?: string }): Promise<void> {
  const { exportFoxglove, exportKitti, exportNuscenes, exportOpenLabel, exportPointClouds, exportRos2 } = await import('../index.js');
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = process.stderr.isTTY ? new SingleBar({ format: 'exporting [{bar}] {value}/{total} frames', hideCursor: true }, Presets.shades_classic) : undefined;
  let started = false;
  const onProgress = (done: number, total: number): void => {
    if (!bar) return;
    if (!started) {
      bar.start(total, 0);
      started = true;
    }
    bar.update(done);
  };
  try {
    if (flags.format === 'foxglove') {
      const onWarning = (message: string): void => console.error(`roadcast: warning: ${message}`);
      const counts = await exportFoxglove({ file, out: flags.out, topics: flags.topic, onProgress, onWarning });
      bar?.stop();
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      console.log(`Wrote ${total} Foxglove messages to ${flags.out} (${Object.entries(counts).map(([topic, n]) => `${topic}: ${n}`).join(', ')})`);
      return;
    }
    if (flags.format === 'ros2') {
      const frames = await exportRos2({ file, out: flags.out, topics: flags.topic, onProgress });
      bar?.stop();
      console.log(`Wrote ${frames} frames as ROS 2 messages to ${flags.out} (MCAP, profile ros2)`);
      return;
    }
    if (flags.format === 'openlabel') {
      const result = await exportOpenLabel({ file, out: flags.out, lidarTopic: flags.lidar, onProgress });
      bar?.stop();
      console.log(`Wrote OpenLABEL 1.0 labels of ${result.frames} frames (${result.objects} objects) to ${flags.out}`);
      return;
    }
    if (flags.format === 'kitti') {
      const samples = await exportKitti({ file, outDir: flags.out, lidarTopic: flags.lidar, cameraTopic: flags.camera, onProgress });
      bar?.stop();
      console.log(`Wrote ${samples} KITTI samples (velodyne, image_2, label_2, calib) under ${flags.out}/`);
      return;
    }
    if (flags.format === 'nuscenes') {
      const summary = await exportNuscenes({ input: file, outDir: flags.out, lidarTopic: flags.lidar, onProgress });
      bar?.stop();
      console.log(`Wrote a nuScenes dataset under ${flags.out}/ (version ${summary.version}): ${summary.scenes.length} scene${summary.scenes.length === 1 ? '' : 's'}, ${summary.samples} samples, ${summary.sampleData} sample_data, ${summary.annotations} annotations`);
      return;
    }
    const counts = await exportPointClouds({ file, outDir: flags.out, topics: flags.topic, onProgress });
    bar?.stop();
    for (const [topic, n] of Object.entries(counts)) console.log(`Wrote ${n} PCD files for ${topic} under ${flags.out}/${topic.replace(/\//g, '_')}/`);
  } finally {
    bar?.stop();
  }
}

/** `inspect`, `replay` and `export`: the commands that work on recordings. */
export function addRecordingCommands(program: Command): void {
  program.command('inspect')
    .description('List the topics, frame counts, rates, duration and metadata of a recording.')
    .argument('<file>', 'MCAP recording')
    .option('--json', 'print one JSON object')
    .option('--recover', 'read a recording cut off by a crash, as far as it is intact, without its index')
    .action(inspect);

  const replayCommand = program.command('replay')
    .description('Stream a recording to WebSocket clients and the browser viewer with its original timing.')
    .argument('<file>', 'MCAP recording')
    .option('--serve', 'serve the frames over WebSocket (the only way to replay, and the default)')
    .addOption(new Option('--host <host>', 'address to serve on').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to serve on (0: any free port)').default(DEFAULT_PORT).argParser(port))
    .option('--rate <factor>', 'speed relative to the recording (2: twice as fast)', positiveNumber, 1)
    .option('--loop', 'start again from the first frame at the end, until Ctrl-C');
  addServeOptions(replayCommand).action(replay);

  program.command('export')
    .description('Export a recording: LiDAR frames as PCD files, LiDAR + camera as the KITTI object layout, everything as Foxglove MCAP or as a ROS 2 bag (MCAP), the labels as ASAM OpenLABEL 1.0 JSON, or a recording or a sweep\'s folder as a nuScenes dataset.')
    .argument('<file>', 'MCAP recording (nuscenes: or a folder of them, a sweep\'s, one scene each)')
    .addOption(new Option('--format <format>', 'output format').choices(['pcd', 'kitti', 'foxglove', 'nuscenes', 'ros2', 'openlabel']).makeOptionMandatory())
    .requiredOption('--out <path>', 'pcd, kitti, nuscenes: a new folder to write into; foxglove, ros2: the .mcap file to write; openlabel: the .json file to write')
    .option('--topic <topic...>', 'pcd: LiDAR topics to export; foxglove, ros2: topics to export (default: all)')
    .option('--lidar <topic>', 'kitti, nuscenes, openlabel: the LiDAR topic (default: the first; nuscenes: the first on the ego)')
    .option('--camera <topic>', 'kitti: the camera topic (default: the first)')
    .action(exportRecording);
}
