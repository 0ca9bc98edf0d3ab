/**
 * The page's stream worker: owns the WebSocket, decodes each msgpack frame off the main
 * thread and hands the page what it draws as transferable typed arrays (protocol.ts).
 */
import { Unpackr } from 'msgpackr';
import { semanticTable, turbo } from './colors.js';
import type { ConnectionState, ImageLayer, PageMessage, Pose, WorkerMessage } from './protocol.js';

interface WireArray {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

interface WireFrame {
  v: number;
  topic: string;
  kind: string;
  seq: number;
  t_ns: number | bigint;
  frame_id: string;
  pose: Pose;
  fields: Record<string, unknown>;
  data: Record<string, WireArray>;
}

const scope = self as unknown as {
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<PageMessage>) => void) | null;
};

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });
const CLASS_RGBA = semanticTable();
const RECONNECT_MS = 1500;

let socket: WebSocket | undefined;
let url = '';
let state: ConnectionState = 'connecting';
/** Attempts that failed since the last connection closed. */
let retries = 0;

function post(message: WorkerMessage, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

function status(next: ConnectionState, detail: string): void {
  state = next;
  post({ type: 'status', state: next, detail, retries });
}

/**
 * Connects, and again after every close, so the page picks up a new run on the same port.
 * The server ends a run with 1001 ("going away"): the page then says so, and the attempts
 * that fail while no run is serving do not turn that into "disconnected".
 */
function connect(): void {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  socket = ws;
  let opened = false;
  ws.onopen = () => {
    opened = true;
    retries = 0;
    status('connected', 'connected');
  };
  ws.onclose = (event) => {
    if (socket === ws) socket = undefined;
    if (!opened) retries++;
    if (event.code === 1001) status('ended', 'run ended');
    else if (opened || state !== 'ended') status('disconnected', `disconnected (${event.code}), reconnecting…`);
    else status('ended', 'run ended');
    setTimeout(connect, RECONNECT_MS);
  };
  ws.onmessage = (event: MessageEvent<string | ArrayBuffer>) => {
    if (typeof event.data === 'string') {
      try {
        post({ type: 'server', message: JSON.parse(event.data) });
      } catch {
        // Not JSON: not from roadcast.
      }
      return;
    }
    try {
      handleFrame(new Uint8Array(event.data));
    } catch (error) {
      post({ type: 'bad-frame', error: (error as Error).message });
    }
  };
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'connect') {
    url = message.url;
    connect();
  } else if (message.type === 'send' && socket?.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(message.message));
  }
};

/** An aligned copy of a wire array as the given typed array (msgpack bin may sit at any offset). */
function typed<T extends Float32Array | Float64Array | Uint8Array | Uint32Array>(field: WireArray | undefined, Ctor: { new (n: number): T; BYTES_PER_ELEMENT: number }): T | undefined {
  if (!field) return undefined;
  const out = new Ctor(field.bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(field.bytes);
  return out;
}

function handleFrame(bytes: Uint8Array): void {
  const raw = unpackr.unpack(bytes) as WireFrame;
  if (raw.v !== 1) throw new Error(`frame version ${String(raw.v)} is not 1`);
  const base = { topic: raw.topic, seq: Number(raw.seq), t_ns: Number(raw.t_ns), frame_id: raw.frame_id, pose: raw.pose, bytes: bytes.byteLength };
  switch (raw.kind) {
    case 'lidar': {
      const points = typed(raw.data.points, Float32Array) ?? new Float32Array(0);
      const semantic = raw.data.semantic?.dtype === 'uint8' ? typed(raw.data.semantic, Uint8Array) : undefined;
      const transfer: Transferable[] = [points.buffer];
      if (semantic) transfer.push(semantic.buffer);
      post({ type: 'frame', frame: { ...base, kind: 'lidar', count: points.length / 4, points, semantic } }, transfer);
      return;
    }
    case 'radar': {
      const xyz = typed(raw.data.xyz, Float32Array) ?? new Float32Array(0);
      const detections = typed(raw.data.detections, Float32Array) ?? new Float32Array(0);
      const count = xyz.length / 3;
      const velocity = new Float32Array(count);
      for (let i = 0; i < count; i++) velocity[i] = detections[i * 6 + 3] ?? 0;
      post({ type: 'frame', frame: { ...base, kind: 'radar', count, xyz, velocity } }, [xyz.buffer, velocity.buffer]);
      return;
    }
    case 'ground_truth': {
      const boxes = typed(raw.data.boxes, Float64Array) ?? new Float64Array(0);
      const classes = typed(raw.data.classes, Uint8Array) ?? new Uint8Array(boxes.length / 10);
      post({
        type: 'frame',
        frame: {
          ...base,
          kind: 'ground_truth',
          count: boxes.length / 10,
          boxes,
          classes,
          ids: (raw.fields.actor_ids as string[] | undefined) ?? [],
          kinds: (raw.fields.kinds as string[] | undefined) ?? [],
          ego: String(raw.fields.ego ?? ''),
        },
      }, [boxes.buffer, classes.buffer]);
      return;
    }
    case 'signals': {
      const positions = typed(raw.data.positions, Float64Array) ?? new Float64Array(0);
      const facing = typed(raw.data.facing, Float32Array) ?? new Float32Array(positions.length / 3);
      const sizes = typed(raw.data.sizes, Float32Array) ?? new Float32Array((positions.length / 3) * 2);
      const strings = (name: string): string[] => (Array.isArray(raw.fields[name]) ? (raw.fields[name] as unknown[]).map(String) : []);
      post({
        type: 'frame',
        frame: { ...base, kind: 'signals', count: positions.length / 3, ids: strings('ids'), roads: strings('roads'), kinds: strings('kinds'), states: strings('states'), positions, facing, sizes },
      }, [positions.buffer, facing.buffer, sizes.buffer]);
      return;
    }
    case 'camera': {
      const layers = ['rgb', 'depth', 'semantic'].map((name) => imageLayer(name, raw.data[name])).filter((l): l is ImageLayer => l !== undefined);
      const boxes2d = boxes2dOf(raw);
      post({ type: 'frame', frame: { ...base, kind: 'camera', layers, boxes2d } }, layers.map((l) => l.rgba.buffer));
      return;
    }
    case 'events':
      post({ type: 'frame', frame: { ...base, kind: 'events', events: Array.isArray(raw.fields.events) ? (raw.fields.events as string[]) : [] } });
      return;
    default:
      post({ type: 'frame', frame: { ...base, kind: raw.kind } });
  }
}

const VIEW_OF: Record<string, { new (buffer: ArrayBuffer): ArrayLike<number> }> = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
};

/**
 * 2D boxes as x0 y0 x1 y1 per box: from `data.boxes2d` [M, K>=4] (x_min, y_min, x_max, y_max
 * first), or a flat number list in `fields.boxes2d`.
 */
function boxes2dOf(raw: WireFrame): number[] {
  const field = raw.data.boxes2d;
  if (field && field.shape.length === 2 && field.shape[1] >= 4 && VIEW_OF[field.dtype]) {
    const aligned = new Uint8Array(field.bytes.byteLength);
    aligned.set(field.bytes);
    const values = new VIEW_OF[field.dtype](aligned.buffer);
    const [m, k] = field.shape;
    const out: number[] = [];
    for (let i = 0; i < m; i++) out.push(values[i * k], values[i * k + 1], values[i * k + 2], values[i * k + 3]);
    return out;
  }
  return Array.isArray(raw.fields.boxes2d) ? (raw.fields.boxes2d as unknown[]).flat().map(Number).filter(Number.isFinite) : [];
}

/** rgb uint8 [H,W,3] as is; depth float32 [H,W] through Turbo (near warm); semantic uint8 [H,W] by class colour. */
function imageLayer(name: string, field: WireArray | undefined): ImageLayer | undefined {
  if (!field || field.shape.length < 2) return undefined;
  const [height, width] = field.shape;
  const n = width * height;
  const rgba = new Uint8ClampedArray(n * 4);
  if (name === 'rgb' && field.dtype === 'uint8') {
    const src = field.bytes;
    for (let i = 0; i < n; i++) {
      rgba[i * 4] = src[i * 3];
      rgba[i * 4 + 1] = src[i * 3 + 1];
      rgba[i * 4 + 2] = src[i * 3 + 2];
      rgba[i * 4 + 3] = 255;
    }
  } else if (name === 'depth' && field.dtype === 'float32') {
    const depth = typed(field, Float32Array)!;
    let max = 0;
    for (let i = 0; i < n; i++) if (Number.isFinite(depth[i]) && depth[i] > max) max = depth[i];
    for (let i = 0; i < n; i++) {
      const d = depth[i];
      const [r, g, b] = Number.isFinite(d) && d > 0 ? turbo(1 - Math.sqrt(d / (max || 1))) : [0, 0, 0];
      rgba.set([r, g, b, 255], i * 4);
    }
  } else if (name === 'semantic' && field.dtype === 'uint8') {
    const src = field.bytes;
    for (let i = 0; i < n; i++) rgba.set(CLASS_RGBA.subarray(src[i] * 4, src[i] * 4 + 4), i * 4);
  } else {
    return undefined;
  }
  return { name, width, height, rgba };
}
