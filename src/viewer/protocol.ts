/**
 * Messages between the page (main.ts) and its stream worker (stream.worker.ts). The worker
 * owns the WebSocket and decodes frames off the main thread; it hands the page typed arrays
 * (transferred, not copied) that go straight into three.js buffers.
 */

export interface Pose {
  p: [number, number, number];
  q: [number, number, number, number];
}

interface FrameBase {
  topic: string;
  seq: number;
  t_ns: number;
  frame_id: string;
  pose: Pose;
  /** Bytes of the frame on the wire. */
  bytes: number;
}

export interface LidarFrame extends FrameBase {
  kind: 'lidar';
  count: number;
  /** x, y, z, intensity per point, in the sensor frame (4 floats each). */
  points: Float32Array;
  /** Semantic class id per point, when the frame carries one. */
  semantic?: Uint8Array;
}

export interface RadarFrame extends FrameBase {
  kind: 'radar';
  count: number;
  /** x, y, z per detection in the sensor frame. */
  xyz: Float32Array;
  /** Radial velocity (range rate, m/s) per detection. */
  velocity: Float32Array;
}

export interface GroundTruthFrame extends FrameBase {
  kind: 'ground_truth';
  count: number;
  /** centre xyz, quaternion xyzw, length width height, per actor, in the world. */
  boxes: Float64Array;
  classes: Uint8Array;
  ids: string[];
  kinds: string[];
  ego: string;
}

/** The map's signals (src/sensors/SignalTruth.ts): where each stands, which way it faces, what it shows. */
export interface SignalsFrame extends FrameBase {
  kind: 'signals';
  count: number;
  ids: string[];
  roads: string[];
  /** traffic_light, pedestrian_light, stop_sign, give_way_sign, speed_limit, stop_line, priority_road, sign. */
  kinds: string[];
  /** red, amber, green or off for a light; '' for a sign. */
  states: string[];
  /** x, y, z per signal in the world: its base plus zOffset (the bottom of the head or plate). */
  positions: Float64Array;
  /** The world heading each face looks along (rad). */
  facing: Float32Array;
  /** width, height per signal (m). */
  sizes: Float32Array;
}

export interface ImageLayer {
  name: string;
  width: number;
  height: number;
  /** RGBA, ready for ImageData (depth through a colour map, semantic through class colours). */
  rgba: Uint8ClampedArray;
}

export interface CameraFrame extends FrameBase {
  kind: 'camera';
  layers: ImageLayer[];
  /** 2D boxes in pixels: x0, y0, x1, y1 (inclusive) per box. */
  boxes2d: number[];
}

export interface EventsFrame extends FrameBase {
  kind: 'events';
  events: string[];
}

export interface OtherFrame extends FrameBase {
  kind: string & {};
}

export type ViewerFrame = LidarFrame | RadarFrame | GroundTruthFrame | SignalsFrame | CameraFrame | EventsFrame;

/**
 * The stream's state: `ended` once the server closed it as the end of the run (1001), which
 * holds while the worker waits for a new run on the same port.
 */
export type ConnectionState = 'connecting' | 'connected' | 'ended' | 'disconnected';

/** Worker → page. */
export type WorkerMessage =
  /** `retries`: attempts to connect that failed since the last connection closed. */
  | { type: 'status'; state: ConnectionState; detail: string; retries: number }
  | { type: 'server'; message: ServerMessage }
  | { type: 'frame'; frame: ViewerFrame | OtherFrame }
  | { type: 'bad-frame'; error: string };

/** Page → worker. */
export type PageMessage = { type: 'connect'; url: string } | { type: 'send'; message: object };

/** How fast a paced run goes against the wall clock (src/io/ControlProtocol.ts). */
export interface RealtimeStats {
  factor: number;
  target: number;
  behind: boolean;
}

/** roadcast's JSON messages (src/io/ControlProtocol.ts). */
export type ServerMessage =
  | { type: 'hello'; version: string; protocol: number; topics: string[]; subscription?: string[] }
  | { type: 'error'; message: string; request?: unknown }
  | { type: 'ack'; request: string }
  | { type: 'stats'; sent: number; dropped: number; queued: number; realtime?: RealtimeStats }
  | { type: 'state'; paused: boolean; t_ns: number };
