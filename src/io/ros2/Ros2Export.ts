/**
 * `roadcast export FILE --format ros2 --out OUT.mcap`: a recording's frames as a ROS 2 bag in
 * MCAP (profile `ros2`, CDR messages, `ros2msg` schemas; Ros2Encoder.ts), the file `ros2 bag
 * play`, rosbags and Foxglove open. Written by the recorder `run --record-format ros2` uses, so
 * the two give the same file: under a temporary name, renamed when complete.
 */
import { UserError } from '../../core/errors.js';
import { McapRecorder } from '../McapRecorder.js';
import { inspectRecording, readFrames } from '../McapSource.js';

export interface Ros2ExportOptions {
  file: string;
  out: string;
  /** Only these roadcast topics (default: all). */
  topics?: string[];
  onProgress?: (done: number, total: number) => void;
}

/** Returns the number of frames exported. */
export async function exportRos2(options: Ros2ExportOptions): Promise<number> {
  const summary = await inspectRecording(options.file);
  const frames = summary.topics.filter((t) => t.messageEncoding === 'msgpack');
  if (frames.length === 0) throw new UserError('has no roadcast frames to export (is it a recording roadcast wrote with --record-format roadcast?)', options.file);
  const wanted = options.topics && options.topics.length > 0 ? new Set(options.topics) : undefined;
  if (wanted) {
    const known = new Set(frames.map((t) => t.topic));
    for (const topic of wanted) if (!known.has(topic)) throw new UserError(`the recording has no topic "${topic}" (it has ${[...known].join(', ')})`, options.file);
  }
  const total = frames.filter((t) => !wanted || wanted.has(t.topic)).reduce((n, t) => n + t.count, 0);
  const recorder = await McapRecorder.open(options.out, { format: 'ros2', metadata: summary.metadata });
  let done = 0;
  try {
    for await (const frame of readFrames(options.file)) {
      if (wanted && !wanted.has(frame.topic)) continue;
      await recorder.write(frame);
      done++;
      options.onProgress?.(done, total);
    }
    await recorder.close();
  } finally {
    await recorder.abort();
  }
  return done;
}
