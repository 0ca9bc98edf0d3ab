/**
 * roadcast frames as Foxglove messages (the schemas of `@foxglove/schemas`, JSON encoding),
 * shared by the live Foxglove WebSocket bridge and the MCAP exporter, so that Foxglove shows
 * the same thing in both:
 *
 * | roadcast frame | Foxglove topic | schema |
 * |---|---|---|
 * | every frame with a sensor frame_id | `tf` | foxglove.FrameTransform (world → sensor) |
 * | lidar | same topic | foxglove.PointCloud (x y z intensity f32, stride 16, sensor frame) |
 * | radar | same topic | foxglove.PointCloud (x y z radial_velocity rcs_dbsm snr_db f32, stride 24) |
 * | ground_truth | same topic | foxglove.SceneUpdate (a cube and a label per actor, world frame) |
 * | signals | `ground_truth/signals` | foxglove.SceneUpdate (a sphere per light in its state's colour, a plate per sign) |
 * | camera | `<topic>/rgb`, `/depth`, `/semantic` | foxglove.RawImage (rgb8, 32FC1, mono8) |
 * | gnss | same topic | foxglove.LocationFix |
 * | imu | same topic | roadcast.Imu (a small JSON schema of its own) |
 * | events | same topic | foxglove.Log (one message per event) |
 * | the static scene | `map` | foxglove.SceneUpdate (one triangle list per semantic class) |
 */
import * as schemas from '@foxglove/schemas/jsonschema.js';
import { fieldArray, type ArrayField, type Frame, type Pose } from '../../core/frame.js';
import { semanticClass } from '../../core/semantic.js';
import type { StaticScene } from './staticScene.js';

/** The Foxglove frame every world-frame message and transform hangs from. */
export const WORLD_FRAME = 'world';
export const TF_TOPIC = 'tf';
export const MAP_TOPIC = 'map';

export interface SchemaInfo {
  name: string;
  /** JSON Schema text (schema encoding `jsonschema`). */
  schema: string;
}

export interface FoxgloveMessage {
  topic: string;
  schema: SchemaInfo;
  /** Nanoseconds: the frame's t_ns. */
  timeNs: number;
  message: unknown;
}

const jsonSchema = (name: string, schema: object): SchemaInfo => ({ name, schema: JSON.stringify(schema) });

export const SCHEMAS = {
  pointCloud: jsonSchema('foxglove.PointCloud', schemas.PointCloud),
  sceneUpdate: jsonSchema('foxglove.SceneUpdate', schemas.SceneUpdate),
  frameTransform: jsonSchema('foxglove.FrameTransform', schemas.FrameTransform),
  rawImage: jsonSchema('foxglove.RawImage', schemas.RawImage),
  locationFix: jsonSchema('foxglove.LocationFix', schemas.LocationFix),
  log: jsonSchema('foxglove.Log', schemas.Log),
  cameraCalibration: jsonSchema('foxglove.CameraCalibration', schemas.CameraCalibration),
  imu: jsonSchema('roadcast.Imu', {
    title: 'roadcast.Imu',
    description: 'An IMU measurement in the sensor frame: specific force (m/s^2), angular rate (rad/s), orientation in the world',
    type: 'object',
    properties: {
      timestamp: schemas.Timestamp,
      frame_id: { type: 'string' },
      linear_acceleration: schemas.Vector3,
      angular_velocity: schemas.Vector3,
      orientation: schemas.Quaternion,
    },
  }),
} as const;

/** The schema a frame kind's main message uses; undefined for kinds Foxglove gets nothing for. */
export function schemaForKind(kind: string): SchemaInfo | undefined {
  switch (kind) {
    case 'lidar':
    case 'radar':
      return SCHEMAS.pointCloud;
    case 'ground_truth':
    case 'signals':
      return SCHEMAS.sceneUpdate;
    case 'gnss':
      return SCHEMAS.locationFix;
    case 'imu':
      return SCHEMAS.imu;
    case 'events':
      return SCHEMAS.log;
    default:
      return undefined;
  }
}

/** The image layers of a camera frame that become RawImage topics `<topic>/<layer>`. */
export const CAMERA_LAYERS = ['rgb', 'depth', 'semantic'] as const;

/** What the Foxglove side must know of a roadcast topic to advertise its channels before its first frame. */
export interface TopicInfo {
  topic: string;
  kind: string;
  /** A camera's outputs (rgb, depth, semantic, instance); without them its channels wait for its first frame. */
  outputs?: readonly string[];
  /** A camera's lens model: a fisheye has no pinhole calibration to publish. */
  model?: string;
}

/** The topics and schemas a roadcast topic is published on. */
export function topicChannels(info: TopicInfo): { topic: string; schema: SchemaInfo }[] {
  if (info.kind === 'camera') {
    if (!info.outputs) return [];
    return [
      ...CAMERA_LAYERS.filter((name) => info.outputs!.includes(name)).map((name) => ({ topic: `${info.topic}/${name}`, schema: SCHEMAS.rawImage })),
      ...(info.model === 'fisheye' ? [] : [{ topic: `${info.topic}/calibration`, schema: SCHEMAS.cameraCalibration }]),
    ];
  }
  const schema = schemaForKind(info.kind);
  return schema ? [{ topic: info.topic, schema }] : [];
}

/**
 * The topics and schemas a frame will be published on, without converting it (to advertise
 * channels before anyone subscribes).
 */
export function frameChannels(frame: Frame): { topic: string; schema: SchemaInfo }[] {
  return topicChannels({ topic: frame.topic, kind: frame.kind, outputs: Object.keys(frame.data), model: String(frame.fields.model ?? '') });
}

/** Foxglove's time: whole seconds and nanoseconds. */
export function timestamp(tNs: number): { sec: number; nsec: number } {
  const sec = Math.floor(tNs / 1e9);
  return { sec, nsec: tNs - sec * 1e9 };
}

const identityPose = { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } };
const FLOAT32 = 7; // foxglove.NumericType.FLOAT32
const LOG_INFO = 2;
const LOG_WARNING = 3;

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function floatFields(names: string[]): { name: string; offset: number; type: number }[] {
  return names.map((name, i) => ({ name, offset: i * 4, type: FLOAT32 }));
}

/**
 * The Foxglove messages for one roadcast frame: a transform from the world to the sensor
 * frame (for frames in a sensor frame) and the frame's content in a Foxglove schema.
 */
export function frameMessages(frame: Frame): FoxgloveMessage[] {
  const out: FoxgloveMessage[] = [];
  const stamp = timestamp(frame.t_ns);
  const push = (topic: string, schema: SchemaInfo, message: unknown): void => {
    out.push({ topic, schema, timeNs: frame.t_ns, message });
  };
  if (frame.frame_id !== WORLD_FRAME) push(TF_TOPIC, SCHEMAS.frameTransform, frameTransform(frame.frame_id, frame.pose, stamp));
  switch (frame.kind) {
    case 'lidar': {
      const points = frame.data.points;
      if (!points) break;
      push(frame.topic, SCHEMAS.pointCloud, {
        timestamp: stamp,
        frame_id: frame.frame_id,
        pose: identityPose,
        point_stride: 16,
        fields: floatFields(['x', 'y', 'z', 'intensity']),
        data: base64(points.bytes),
      });
      break;
    }
    case 'radar': {
      const xyz = frame.data.xyz;
      const detections = frame.data.detections;
      if (!xyz || !detections) break;
      const p = fieldArray(xyz);
      const d = fieldArray(detections);
      const n = xyz.shape[0];
      const packed = new Float32Array(n * 6);
      for (let i = 0; i < n; i++) {
        packed.set([p[i * 3], p[i * 3 + 1], p[i * 3 + 2], d[i * 6 + 3], d[i * 6 + 4], d[i * 6 + 5]], i * 6);
      }
      push(frame.topic, SCHEMAS.pointCloud, {
        timestamp: stamp,
        frame_id: frame.frame_id,
        pose: identityPose,
        point_stride: 24,
        fields: floatFields(['x', 'y', 'z', 'radial_velocity', 'rcs_dbsm', 'snr_db']),
        data: base64(new Uint8Array(packed.buffer)),
      });
      break;
    }
    case 'ground_truth':
      push(frame.topic, SCHEMAS.sceneUpdate, actorBoxes(frame, stamp));
      break;
    case 'signals':
      push(frame.topic, SCHEMAS.sceneUpdate, signalLamps(frame, stamp));
      break;
    case 'camera': {
      for (const name of CAMERA_LAYERS) {
        const field = frame.data[name];
        const image = field ? rawImage(frame.frame_id, stamp, field) : undefined;
        if (image) push(`${frame.topic}/${name}`, SCHEMAS.rawImage, image);
      }
      const calibration = cameraCalibration(frame, stamp);
      if (calibration) push(`${frame.topic}/calibration`, SCHEMAS.cameraCalibration, calibration);
      break;
    }
    case 'gnss': {
      const lla = frame.data.latitude_longitude_altitude;
      if (!lla) break;
      const [latitude, longitude, altitude] = fieldArray(lla);
      const h = Number(frame.fields.horizontal_std ?? 0) ** 2;
      const v = Number(frame.fields.vertical_std ?? 0) ** 2;
      push(frame.topic, SCHEMAS.locationFix, {
        timestamp: stamp,
        frame_id: frame.frame_id,
        latitude,
        longitude,
        altitude,
        position_covariance: [h, 0, 0, 0, h, 0, 0, 0, v],
        position_covariance_type: 2, // DIAGONAL_KNOWN
        color: { r: 1, g: 0.5, b: 0, a: 1 },
      });
      break;
    }
    case 'imu': {
      const vector = (field: ArrayField | undefined): { x: number; y: number; z: number } => {
        const a = field ? fieldArray(field) : [0, 0, 0];
        return { x: a[0], y: a[1], z: a[2] };
      };
      const q = frame.data.orientation ? fieldArray(frame.data.orientation) : [0, 0, 0, 1];
      push(frame.topic, SCHEMAS.imu, {
        timestamp: stamp,
        frame_id: frame.frame_id,
        linear_acceleration: vector(frame.data.linear_acceleration),
        angular_velocity: vector(frame.data.angular_velocity),
        orientation: { x: q[0], y: q[1], z: q[2], w: q[3] },
      });
      break;
    }
    case 'events': {
      const events = Array.isArray(frame.fields.events) ? (frame.fields.events as string[]) : [];
      for (const text of events) {
        let type = 'event';
        try {
          type = String((JSON.parse(text) as { type?: unknown }).type ?? 'event');
        } catch {
          // Not JSON: logged as it is.
        }
        push(frame.topic, SCHEMAS.log, {
          timestamp: stamp,
          level: type === 'collision' ? LOG_WARNING : LOG_INFO,
          message: text,
          name: type,
          file: '',
          line: 0,
        });
      }
      break;
    }
    default:
      break;
  }
  return out;
}

export function frameTransform(child: string, pose: Pose, stamp: { sec: number; nsec: number }): object {
  return {
    timestamp: stamp,
    parent_frame_id: WORLD_FRAME,
    child_frame_id: child,
    translation: { x: pose.p[0], y: pose.p[1], z: pose.p[2] },
    rotation: { x: pose.q[0], y: pose.q[1], z: pose.q[2], w: pose.q[3] },
  };
}

/** Kind → box colour (the kind's semantic class colour), translucent. */
function classColor(cls: number, alpha: number): { r: number; g: number; b: number; a: number } {
  const [r, g, b] = semanticClass(cls).color;
  return { r: r / 255, g: g / 255, b: b / 255, a: alpha };
}

/**
 * One entity per actor, each a cube (the actor's box) and a text (its id and kind). The
 * update first deletes every entity of the topic, so actors that left the scene disappear.
 */
function actorBoxes(frame: Frame, stamp: { sec: number; nsec: number }): object {
  const boxes = frame.data.boxes ? fieldArray(frame.data.boxes) : new Float64Array(0);
  const classes = frame.data.classes ? fieldArray(frame.data.classes) : new Uint8Array(0);
  const ids = (frame.fields.actor_ids as string[] | undefined) ?? [];
  const kinds = (frame.fields.kinds as string[] | undefined) ?? [];
  const ego = frame.fields.ego;
  const n = frame.data.boxes ? frame.data.boxes.shape[0] : 0;
  const entities = [];
  for (let i = 0; i < n; i++) {
    const b = boxes.subarray(i * 10, i * 10 + 10);
    const id = ids[i] ?? String(i);
    const isEgo = id === ego;
    const pose = { position: { x: b[0], y: b[1], z: b[2] }, orientation: { x: b[3], y: b[4], z: b[5], w: b[6] } };
    entities.push({
      timestamp: stamp,
      frame_id: WORLD_FRAME,
      id,
      lifetime: { sec: 0, nsec: 0 },
      frame_locked: false,
      metadata: [{ key: 'kind', value: kinds[i] ?? '' }, { key: 'ego', value: String(isEgo) }],
      arrows: [],
      cubes: [{ pose, size: { x: b[7], y: b[8], z: b[9] }, color: isEgo ? { r: 0.2, g: 0.8, b: 0.3, a: 0.5 } : classColor(classes[i] ?? 0, 0.5) }],
      spheres: [],
      cylinders: [],
      lines: [],
      triangles: [],
      texts: [{
        pose: { position: { x: b[0], y: b[1], z: b[2] + b[9] / 2 + 0.5 }, orientation: identityPose.orientation },
        billboard: true,
        font_size: 14,
        scale_invariant: true,
        color: { r: 1, g: 1, b: 1, a: 1 },
        text: `${id} (${kinds[i] ?? semanticClass(classes[i] ?? 0).name})`,
      }],
      models: [],
    });
  }
  return { deletions: [{ timestamp: stamp, type: 1, id: '' }], entities };
}

/** The colour a signal's state is drawn in (a sign: white); a flashing light in its colour, steady. */
const STATE_COLOUR: Record<string, { r: number; g: number; b: number; a: number }> = {
  red: { r: 1, g: 0.1, b: 0.1, a: 1 }, amber: { r: 1, g: 0.7, b: 0, a: 1 }, green: { r: 0.1, g: 1, b: 0.3, a: 1 }, off: { r: 0.3, g: 0.3, b: 0.3, a: 1 },
};

/** Each signal as a sphere in its state's colour at its place (signs: a white cube), with its id, kind and state. */
function signalLamps(frame: Frame, stamp: { sec: number; nsec: number }): object {
  const positions = frame.data.positions ? fieldArray(frame.data.positions) : new Float64Array(0);
  const ids = (frame.fields.ids as string[] | undefined) ?? [];
  const roads = (frame.fields.roads as string[] | undefined) ?? [];
  const kinds = (frame.fields.kinds as string[] | undefined) ?? [];
  const states = (frame.fields.states as string[] | undefined) ?? [];
  const entities = ids.map((id, i) => {
    const pose = { position: { x: positions[i * 3], y: positions[i * 3 + 1], z: positions[i * 3 + 2] }, orientation: identityPose.orientation };
    const lit = states[i] !== '';
    return {
      timestamp: stamp, frame_id: WORLD_FRAME, id: `signal ${roads[i]}/${id}`, lifetime: { sec: 0, nsec: 0 }, frame_locked: false,
      metadata: [{ key: 'kind', value: kinds[i] ?? '' }, { key: 'state', value: states[i] ?? '' }],
      arrows: [], cylinders: [], lines: [], triangles: [], models: [], texts: [],
      spheres: lit ? [{ pose, size: { x: 0.4, y: 0.4, z: 0.4 }, color: STATE_COLOUR[states[i].replace('flashing_', '')] ?? STATE_COLOUR.off }] : [],
      cubes: lit ? [] : [{ pose, size: { x: 0.1, y: 0.6, z: 0.6 }, color: { r: 1, g: 1, b: 1, a: 0.8 } }],
    };
  });
  return { deletions: [{ timestamp: stamp, type: 1, id: '' }], entities };
}

/** A camera image field as a RawImage: rgb uint8 [H,W,3] → rgb8, depth float32 → 32FC1, semantic uint8 [H,W] → mono8. */
function rawImage(frameId: string, stamp: { sec: number; nsec: number }, field: ArrayField): object | undefined {
  const [height, width, channels = 1] = field.shape;
  if (field.shape.length < 2) return undefined;
  let encoding: string;
  if (field.dtype === 'uint8' && channels === 3) encoding = 'rgb8';
  else if (field.dtype === 'uint8' && channels === 1) encoding = 'mono8';
  else if (field.dtype === 'float32' && channels === 1) encoding = '32FC1';
  else return undefined;
  const bytesPerPixel = channels * (field.dtype === 'float32' ? 4 : 1);
  return { timestamp: stamp, frame_id: frameId, width, height, encoding, step: width * bytesPerPixel, data: base64(field.bytes) };
}

/** A pinhole camera's intrinsics (fields fx fy cx cy, distortion k1 k2 k3 p1 p2) as Foxglove's calibration. */
function cameraCalibration(frame: Frame, stamp: { sec: number; nsec: number }): object | undefined {
  const f = frame.fields;
  const [fx, fy, cx, cy, width, height] = [f.fx, f.fy, f.cx, f.cy, f.width, f.height].map(Number);
  if (![fx, fy, cx, cy, width, height].every(Number.isFinite) || f.model === 'fisheye') return undefined;
  const d = Array.isArray(f.distortion) ? (f.distortion as number[]) : [0, 0, 0, 0, 0];
  return {
    timestamp: stamp,
    frame_id: frame.frame_id,
    width,
    height,
    distortion_model: 'plumb_bob',
    // plumb_bob orders k1 k2 p1 p2 k3; roadcast's field is k1 k2 k3 p1 p2.
    D: [d[0] ?? 0, d[1] ?? 0, d[3] ?? 0, d[4] ?? 0, d[2] ?? 0],
    K: [fx, 0, cx, 0, fy, cy, 0, 0, 1],
    R: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    P: [fx, 0, cx, 0, 0, fy, cy, 0, 0, 0, 1, 0],
  };
}

/**
 * The static scene as one SceneUpdate: an entity `map` in the world frame with one triangle
 * list per semantic class, coloured by class. Coordinates are rounded to the millimetre to
 * keep the JSON small.
 */
export function sceneMessage(scene: StaticScene, tNs: number): object {
  const stamp = timestamp(tNs);
  const byClass = new Map<number, { x: number; y: number; z: number }[]>();
  const r = (v: number): number => Math.round(v * 1000) / 1000;
  for (let t = 0; t < scene.classes.length; t++) {
    const cls = scene.classes[t];
    let points = byClass.get(cls);
    if (!points) byClass.set(cls, (points = []));
    for (let k = 0; k < 3; k++) {
      const o = t * 9 + k * 3;
      points.push({ x: r(scene.positions[o]), y: r(scene.positions[o + 1]), z: r(scene.positions[o + 2]) });
    }
  }
  const triangles = [...byClass.entries()].sort((a, b) => a[0] - b[0]).map(([cls, points]) => ({
    pose: identityPose,
    points,
    color: classColor(cls, 1),
    colors: [],
    indices: [],
  }));
  return {
    deletions: [],
    entities: [{
      timestamp: stamp,
      frame_id: WORLD_FRAME,
      id: MAP_TOPIC,
      lifetime: { sec: 0, nsec: 0 },
      frame_locked: true,
      metadata: [],
      arrows: [], cubes: [], spheres: [], cylinders: [], lines: [], triangles, texts: [], models: [],
    }],
  };
}
