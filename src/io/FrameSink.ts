import type { Frame } from '../core/frame.js';

/**
 * Anything frames go to: a recorder, a server, the Foxglove bridge, a test's array. A run
 * awaits each write before the next frame (a sink's promise is its back-pressure), so a sink
 * that queues must resolve only once it has room.
 */
export interface FrameSink {
  write(frame: Frame): void | Promise<void>;
}
