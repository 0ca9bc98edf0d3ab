import type { FrameSink } from '../io/FrameSink.js';
import { readFrames, type RecordingSummary } from '../io/McapSource.js';
import { RunControl } from './RunControl.js';

export interface ReplayOptions {
  file: string;
  sinks: FrameSink[];
  /** Speed relative to the recording's own timing (2 = twice as fast). */
  rate?: number;
  /** Start again from the first frame when the recording ends, until stopped. */
  loop?: boolean;
  /** Pause, resume, step (one frame per step) and rate from a socket. */
  control?: RunControl;
  signal?: AbortSignal;
}

/**
 * Streams a recording's frames to the sinks with their original timing: each frame is sent
 * when as much wall time has passed since the first as simulated time did, over the rate.
 * Returns the number of frames sent.
 */
export async function replayRecording(options: ReplayOptions): Promise<number> {
  const control = options.control ?? new RunControl(true);
  if (options.rate !== undefined) control.setRate(options.rate);
  let sent = 0;
  do {
    control.reanchor();
    for await (const frame of readFrames(options.file)) {
      await control.gate(frame.t_ns, options.signal);
      if (options.signal?.aborted) return sent;
      for (const sink of options.sinks) await sink.write(frame);
      sent++;
    }
  } while (options.loop && !options.signal?.aborted);
  return sent;
}

/** Frames read at most to find each camera's first frame (its outputs and lens). */
const CAMERA_SCAN_FRAMES = 10_000;

/**
 * The topics of a recording as the Foxglove bridge advertises them before the first frame: each
 * camera with the outputs and lens model its first frame states (read from the start of the
 * recording, up to a bounded number of frames).
 */
export async function replayTopics(file: string, summary: RecordingSummary): Promise<{ topic: string; kind: string; outputs?: string[]; model?: string }[]> {
  const topics = summary.topics.map((t) => ({ topic: t.topic, kind: t.kind ?? '' } as { topic: string; kind: string; outputs?: string[]; model?: string }));
  const cameras = new Map(topics.filter((t) => t.kind === 'camera').map((t) => [t.topic, t]));
  if (cameras.size === 0) return topics;
  let read = 0;
  for await (const frame of readFrames(file)) {
    const camera = cameras.get(frame.topic);
    if (camera) {
      const outputs = frame.fields.outputs;
      if (Array.isArray(outputs)) camera.outputs = outputs.map(String);
      if (typeof frame.fields.model === 'string') camera.model = frame.fields.model;
      cameras.delete(frame.topic);
    }
    if (cameras.size === 0 || ++read >= CAMERA_SCAN_FRAMES) break;
  }
  return topics;
}
