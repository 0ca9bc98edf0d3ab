import type { FrameSink } from './LiveRun.js';
import { readFrames } from './McapSource.js';
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
