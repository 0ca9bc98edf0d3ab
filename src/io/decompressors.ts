/**
 * The chunk decompressors every MCAP reader here uses (zstd, lz4 and bz2, in WebAssembly),
 * loaded once.
 *
 * The bz2 module is emscripten output that, when it loads in Node, adds process handlers for
 * 'uncaughtException' and 'unhandledRejection' which rethrow what they get: from then on any
 * error nobody caught made Node exit with status 7 ("internal exception handler failure") and
 * a stack trace pointing into that module, instead of the CLI's report. The handlers it adds
 * are removed as soon as it has loaded, so roadcast's own stay in charge.
 */
import type { DecompressHandlers } from '@mcap/core';
import { loadDecompressHandlers } from '@mcap/support';

const EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

let handlers: Promise<DecompressHandlers> | undefined;

export function decompressors(): Promise<DecompressHandlers> {
  handlers ??= withoutAddedProcessHandlers(loadDecompressHandlers);
  return handlers;
}

/** Runs `load` and removes every handler of EVENTS it added to the process. */
async function withoutAddedProcessHandlers<T>(load: () => Promise<T>): Promise<T> {
  // Typed loosely: Node's typings overload listeners() per event name.
  const emitter = process as unknown as NodeJS.EventEmitter;
  const before = new Map(EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  try {
    return await load();
  } finally {
    for (const event of EVENTS) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)!.has(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
      }
    }
  }
}
