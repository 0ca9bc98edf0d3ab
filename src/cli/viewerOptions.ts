/**
 * The viewer and Foxglove parts of `run` and `replay`: the --foxglove flags, and starting the
 * Foxglove bridge beside the frame server with the static scene both serve.
 */
import { Option, type Command } from 'commander';
import { DEFAULT_FOXGLOVE_PORT, FoxgloveBridge, FrameServer, type RunControl, type StaticScene } from '../index.js';
import { port } from './options.js';

export interface FoxgloveFlags {
  foxglove?: boolean;
  foxglovePort: number;
  host: string;
}

export function addFoxgloveOptions(command: Command): Command {
  return command
    .option('--foxglove', 'also speak the Foxglove WebSocket protocol (open it in Foxglove with no plugin)')
    .addOption(new Option('--foxglove-port <port>', 'port of the Foxglove WebSocket (0: any free port)').default(DEFAULT_FOXGLOVE_PORT).argParser(port));
}

/** Computes the static scene once, on first use, for every server that asks. */
export function sharedScene(build: () => StaticScene | undefined | Promise<StaticScene | undefined>): () => Promise<StaticScene | undefined> {
  let scene: Promise<StaticScene | undefined> | undefined;
  return () => (scene ??= Promise.resolve().then(build));
}

/** Starts the Foxglove bridge when asked for, and prints where Foxglove should connect. */
export async function startFoxglove(
  flags: FoxgloveFlags,
  topics: { topic: string; kind: string }[],
  scene: () => Promise<StaticScene | undefined>,
): Promise<FoxgloveBridge | undefined> {
  if (!flags.foxglove) return undefined;
  const bridge = new FoxgloveBridge({ host: flags.host, port: flags.foxglovePort, topics, scene });
  const url = await bridge.start();
  console.log(`Foxglove WebSocket on ${url} (in Foxglove: Open connection, Foxglove WebSocket)`);
  return bridge;
}

/**
 * Starts the frame server of `run --serve` and `replay`: WebSocket and viewer page on one
 * port, control messages to `control`; prints the stream's and the page's addresses.
 */
export async function startFrameServer(
  flags: { host: string; port: number; token?: string },
  control: RunControl,
  scene: () => Promise<StaticScene | undefined>,
  announce: (url: string) => string,
): Promise<FrameServer> {
  const server = new FrameServer({ host: flags.host, port: flags.port, token: flags.token, onControl: (message) => control.apply(message), scene });
  const address = await server.start();
  console.log(announce(address.url));
  console.log(`Viewer: ${address.pageUrl}${flags.token ? '?token=...' : ''}`);
  return server;
}
