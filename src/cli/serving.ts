/**
 * The serving parts of `run` and `replay`: the frame server (WebSocket and viewer page), and
 * the Foxglove bridge beside it, with the static scene both serve. Loaded only by the
 * commands that serve.
 */
import { FoxgloveBridge, FrameServer, pacingWarning, type AccessPolicy, type FoxgloveBridgeOptions, type RunControl, type StaticScene } from '../index.js';
import type { FoxgloveFlags, ServeFlags } from './options.js';

/** Computes the static scene once, on first use, for every server that asks. */
export function sharedScene(build: () => StaticScene | undefined | Promise<StaticScene | undefined>): () => Promise<StaticScene | undefined> {
  let scene: Promise<StaticScene | undefined> | undefined;
  return () => (scene ??= Promise.resolve().then(build));
}

/** Starts the Foxglove bridge when asked for, and prints where Foxglove should connect. */
export async function startFoxglove(
  flags: FoxgloveFlags,
  topics: NonNullable<FoxgloveBridgeOptions['topics']>,
  scene: () => Promise<StaticScene | undefined>,
): Promise<FoxgloveBridge | undefined> {
  if (!flags.foxglove) return undefined;
  const bridge = new FoxgloveBridge({ host: flags.host, port: flags.foxglovePort, topics, scene, token: flags.token, allowOrigins: flags.allowOrigin });
  const url = await bridge.start();
  console.log(`Foxglove WebSocket on ${url}${flags.token ? '/?token=...' : ''} (in Foxglove: Open connection, Foxglove WebSocket)`);
  warnIfExposed(bridge.access, `--foxglove-port ${bridge.port}`);
  return bridge;
}

/**
 * Starts the frame server of `run --serve` and `replay`: WebSocket and viewer page on one
 * port, control messages to `control`; prints the stream's and the page's addresses.
 */
export async function startFrameServer(
  flags: ServeFlags,
  control: RunControl,
  scene: () => Promise<StaticScene | undefined>,
  announce: (url: string) => string,
): Promise<FrameServer> {
  const server = new FrameServer({ host: flags.host, port: flags.port, token: flags.token, allowOrigins: flags.allowOrigin, onControl: (message) => control.apply(message), scene });
  const address = await server.start();
  warnIfExposed(server.access, `--port ${address.port}`);
  // Clients hear when the run stops or goes again, and how far it is behind the wall clock.
  control.onState((state) => server.reportState(state));
  control.onPacing((report) => server.reportPacing(report));
  console.log(announce(address.url));
  console.log(`Viewer: ${address.pageUrl}${flags.token ? '?token=...' : ''}`);
  return server;
}

/** A run or replay that cannot keep up with the wall clock says so on stderr (at most every 10 s). */
export function warnWhenBehind(control: RunControl): void {
  control.onPacing((report) => {
    if (report.warn) console.error(`roadcast: warning: ${pacingWarning(report)}`);
  });
}

/** A port open beyond this machine with no token: anyone who reaches it may read and drive the run. */
function warnIfExposed(access: AccessPolicy, what: string): void {
  if (access.exposedWithoutToken) console.error(`roadcast: warning: ${what} is reachable from other machines and has no --token: anyone who reaches it can read every frame and drive the run`);
}
