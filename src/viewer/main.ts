/**
 * roadcast's browser viewer: the 3D view (SceneView.ts: the static scene, actors, point
 * clouds, radar, signals), camera images in panels (cameraPanels.ts), and a side panel (panel.ts) with
 * topics, rates, simulation time, dropped frames, events and run controls.
 *
 * Frames arrive in a worker (stream.worker.ts) that decodes them off the main thread. The
 * stream starts first and owes nothing to WebGL: without it (no GPU, WebGL switched off) the
 * page says so and still shows the panel and the cameras. The page keeps only the newest
 * frame per topic and applies it at the next animation frame, so a slow page skips frames
 * (counted) instead of falling behind.
 */
import { updateCamera } from './cameraPanels.js';
import { Panel } from './panel.js';
import type { ColorMode } from './PointCloud.js';
import type { EventsFrame, ViewerFrame, WorkerMessage } from './protocol.js';
import { SceneView } from './SceneView.js';
import type { SignalInfo } from './SignalView.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const token = new URLSearchParams(location.search).get('token');
const withToken = (path: string): string => (token ? `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : path);

const panel = new Panel();
const pending = new Map<string, ViewerFrame>();
/** The seq of the frame last drawn, per topic. */
const drawn = new Map<string, number>();

// ---------------------------------------------------------------------------------------------
// The stream, first: nothing below may keep the page from connecting.

const worker = new Worker(new URL('./stream.worker.ts', import.meta.url), { type: 'module' });
worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'status':
      panel.status(message.state, message.detail, message.retries);
      break;
    case 'server':
      panel.server(message.message);
      break;
    case 'bad-frame':
      panel.badFrame(message.error);
      break;
    case 'frame': {
      const frame = message.frame;
      panel.frame(frame.topic, frame.kind, frame.t_ns);
      if (frame.kind === 'events') {
        panel.events(frame as EventsFrame);
      } else if (frame.kind === 'lidar' || frame.kind === 'radar' || frame.kind === 'ground_truth' || frame.kind === 'signals' || frame.kind === 'camera') {
        // Only the newest frame of a topic is drawn; one replaced before it was drawn is skipped.
        if (pending.has(frame.topic)) panel.skipped++;
        pending.set(frame.topic, frame as ViewerFrame);
      }
      break;
    }
  }
};
const wsUrl = new URL(withToken(''), location.href);
wsUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
worker.postMessage({ type: 'connect', url: wsUrl.href });

function send(message: object): void {
  worker.postMessage({ type: 'send', message });
}
$('pause').addEventListener('click', () => send({ type: 'pause' }));
$('resume').addEventListener('click', () => send({ type: 'resume' }));
$('step').addEventListener('click', () => send({ type: 'step', ticks: 10 }));

// ---------------------------------------------------------------------------------------------
// The 3D view, when the browser has WebGL.

const follow = $('follow') as HTMLInputElement;
let view: SceneView | undefined;
let viewError = '';
try {
  view = new SceneView($('view'), withToken('map.glb'), () => follow.checked);
} catch (error) {
  viewError = (error as Error).message;
  const note = document.createElement('p');
  note.className = 'no-3d';
  note.textContent = `No 3D view: this browser could not start WebGL (${viewError}). The panel and the cameras still show the stream.`;
  $('view').appendChild(note);
}
const showSignals = $('show-signals') as HTMLInputElement;
showSignals.addEventListener('change', () => {
  if (view) view.signalsVisible = showSignals.checked;
});
const colorSelect = $('color-mode') as HTMLSelectElement;
colorSelect.addEventListener('change', () => {
  if (view) view.colorMode = colorSelect.value as ColorMode;
});

function applyPending(): void {
  for (const frame of pending.values()) {
    switch (frame.kind) {
      case 'lidar':
        view?.lidar(frame);
        break;
      case 'radar':
        view?.radar(frame);
        break;
      case 'ground_truth':
        view?.groundTruth(frame);
        break;
      case 'signals':
        view?.signals(frame);
        break;
      case 'camera':
        updateCamera($('cameras'), frame);
        break;
    }
    if (view || frame.kind === 'camera') drawn.set(frame.topic, frame.seq);
  }
  pending.clear();
}

function animate(now: number): void {
  applyPending();
  view?.render();
  const points = view ? Object.values(view.points()).reduce((a, b) => a + b, 0) : undefined;
  panel.update(now, points);
  colorSelect.querySelector<HTMLOptionElement>('option[value="semantic"]')!.disabled = !view?.hasSemantic;
  requestAnimationFrame(animate);
}
requestAnimationFrame(animate);

// ---------------------------------------------------------------------------------------------
// For tests and scripts: the page's state, and whether the canvas shows anything.

interface ViewerState {
  connection: string;
  connected: boolean;
  /** Attempts to connect that failed since the last connection closed. */
  retries: number;
  received: number;
  skipped: number;
  dropped: number;
  simTimeNs: number;
  paused: boolean;
  /** Where the server last said the run stopped (-1: it has not). */
  pausedAtNs: number;
  realtime: { factor: number; target: number; behind: boolean } | null;
  mapLoaded: boolean;
  /** Why there is no 3D view ('' when there is one). */
  viewError: string;
  topics: Record<string, { kind: string; count: number }>;
  /** The seq of the frame last drawn, per topic. */
  drawn: Record<string, number>;
  actors: string[];
  /** The signals drawn, each light with its lamp's colour as drawn. */
  signals: SignalInfo[];
  signalsVisible: boolean;
  points: Record<string, number>;
  lastError: string;
}

declare global {
  interface Window {
    roadcastViewer: {
      state(): ViewerState;
      /** Renders now and counts the pixels that differ from the background colour. */
      pixelStats(): { width: number; height: number; differing: number };
      setColorMode(mode: ColorMode): void;
    };
  }
}

window.roadcastViewer = {
  state: () => ({
    connection: panel.connection,
    connected: panel.connection === 'connected',
    retries: panel.retries,
    received: panel.received,
    skipped: panel.skipped,
    dropped: panel.dropped,
    simTimeNs: panel.simTimeNs,
    paused: panel.paused,
    pausedAtNs: panel.pausedAtNs ?? -1,
    realtime: panel.realtime ?? null,
    mapLoaded: view?.mapLoaded ?? false,
    viewError,
    topics: Object.fromEntries([...panel.topics].map(([topic, s]) => [topic, { kind: s.kind, count: s.count }])),
    drawn: Object.fromEntries(drawn),
    actors: view?.actorIds() ?? [],
    signals: view?.signalInfo() ?? [],
    signalsVisible: view?.signalsVisible ?? false,
    points: view?.points() ?? {},
    lastError: panel.lastError,
  }),
  pixelStats: () => view?.pixelStats() ?? { width: 0, height: 0, differing: 0 },
  setColorMode: (mode) => {
    if (view) view.colorMode = mode;
    colorSelect.value = mode;
  },
};
