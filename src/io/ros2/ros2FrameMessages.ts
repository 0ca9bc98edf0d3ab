/**
 * One roadcast frame as ROS 2 messages (plain objects in the standard types of
 * messageDefinitions.ts, not yet serialised): which topic, type and log time each has.
 * Topics are the frame's topic under `/` (a camera's per image); a message's header stamp is
 * the frame's `t_ns` and its frame_id the frame's, so the transforms (Ros2Transforms.ts) place it.
 */
import { fieldArray, type ArrayField, type Frame } from '../../core/frame.js';
import { ROS2_TYPES, type Ros2TypeName } from './messageDefinitions.js';
import { MAP_FRAME, type TransformEdge } from './Ros2Transforms.js';

export interface Ros2Message {
  topic: string;
  type: Ros2TypeName;
  tNs: number;
  message: unknown;
}

/** The topic on which the transforms go, and the latched one for those that never change. */
export const TF_TOPIC = '/tf';
export const TF_STATIC_TOPIC = '/tf_static';

/** sensor_msgs/PointField datatypes. */
const UINT8 = 2, UINT16 = 4, UINT32 = 6, FLOAT32 = 7;
/** visualization_msgs/Marker types and actions. */
const CUBE = 1, DELETEALL = 3;

/** A ROS 2 name for a roadcast topic: ROS names hold letters, digits, `_` and `/`. */
export function ros2Topic(topic: string): string {
  return `/${topic.replace(/[^A-Za-z0-9_/]/g, '_')}`;
}

export function stamp(tNs: number): { sec: number; nanosec: number } {
  return { sec: Math.floor(tNs / 1e9), nanosec: tNs % 1e9 };
}

function header(tNs: number, frameId: string): { stamp: { sec: number; nanosec: number }; frame_id: string } {
  return { stamp: stamp(tNs), frame_id: frameId };
}

/** The messages of one frame; kinds with no standard message (metrics, a signals' truth) give none. */
export function ros2FrameMessages(frame: Frame): Ros2Message[] {
  switch (frame.kind) {
    case 'lidar': return lidarMessages(frame);
    case 'radar': return [{ topic: ros2Topic(frame.topic), type: ROS2_TYPES.pointCloud2, tNs: frame.t_ns, message: radarCloud(frame) }];
    case 'camera': return cameraMessages(frame);
    case 'imu': return [{ topic: ros2Topic(frame.topic), type: ROS2_TYPES.imu, tNs: frame.t_ns, message: imu(frame) }];
    case 'gnss': return [{ topic: ros2Topic(frame.topic), type: ROS2_TYPES.navSatFix, tNs: frame.t_ns, message: navSatFix(frame) }];
    case 'ground_truth': return frame.data.boxes ? groundTruthBoxes(frame) : [];
    case 'events': return ((frame.fields.events as string[] | undefined) ?? []).map((data) => ({ topic: ros2Topic(frame.topic), type: ROS2_TYPES.string, tNs: frame.t_ns, message: { data } }));
    default: return [];
  }
}

/** A TFMessage of transform edges. */
export function tfMessage(topic: string, tNs: number, edges: readonly TransformEdge[]): Ros2Message {
  const transforms = edges.map((e) => ({
    header: header(e.tNs, e.parent),
    child_frame_id: e.child,
    transform: {
      translation: { x: e.pose.p[0], y: e.pose.p[1], z: e.pose.p[2] },
      rotation: { x: e.pose.q[0], y: e.pose.q[1], z: e.pose.q[2], w: e.pose.q[3] },
    },
  }));
  return { topic, type: ROS2_TYPES.tfMessage, tNs, message: { transforms } };
}

interface CloudColumn {
  name: string;
  datatype: number;
  /** Bytes per value. */
  size: number;
  /** The bytes of the array the values are in (little-endian, as the point cloud's). */
  bytes: Uint8Array;
  /** Point i's value is element i * stride + offset of that array. */
  stride: number;
  offset: number;
}

type ColumnValues = Float32Array | Uint32Array | Uint16Array | Uint8Array;

/**
 * A PointCloud2 of columns laid out one after another in each point, each aligned to its own
 * size, the point padded to 4 bytes. Values are copied as raw 1, 2 or 4-byte words, one loop
 * per width, so each loop sees one array type (a loop over values of several types runs
 * several times slower).
 */
function pointCloud(tNs: number, frameId: string, count: number, columns: CloudColumn[], dense: boolean): unknown {
  let step = 0;
  const offsets = columns.map((c) => {
    step = Math.ceil(step / c.size) * c.size;
    const at = step;
    step += c.size;
    return at;
  });
  step = Math.ceil(step / 4) * 4;
  const data = new Uint8Array(count * step);
  columns.forEach((c, k) => {
    const { bytes, size } = c;
    if (size === 4 && bytes.byteOffset % 4 === 0) copy32(new Uint32Array(data.buffer), new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), count, step / 4, offsets[k] / 4, c.stride, c.offset);
    else if (size === 2 && bytes.byteOffset % 2 === 0) copy16(new Uint16Array(data.buffer), new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2), count, step / 2, offsets[k] / 2, c.stride, c.offset);
    else copyBytes(data, bytes, count, step, offsets[k], size, c.stride, c.offset);
  });
  return {
    header: header(tNs, frameId),
    height: 1,
    width: count,
    fields: columns.map((c, k) => ({ name: c.name, offset: offsets[k], datatype: c.datatype, count: 1 })),
    is_bigendian: false,
    point_step: step,
    row_step: step * count,
    data,
    is_dense: dense,
  };
}

function copy32(target: Uint32Array, source: Uint32Array, count: number, step: number, at: number, stride: number, offset: number): void {
  for (let i = 0, s = offset, o = at; i < count; i++, s += stride, o += step) target[o] = source[s];
}

function copy16(target: Uint16Array, source: Uint16Array, count: number, step: number, at: number, stride: number, offset: number): void {
  for (let i = 0, s = offset, o = at; i < count; i++, s += stride, o += step) target[o] = source[s];
}

function copyBytes(target: Uint8Array, source: Uint8Array, count: number, step: number, at: number, size: number, stride: number, offset: number): void {
  for (let i = 0, s = offset * size, o = at; i < count; i++, s += stride * size, o += step) {
    for (let b = 0; b < size; b++) target[o + b] = source[s + b];
  }
}

function column(name: string, datatype: number, values: ColumnValues, stride = 1, offset = 0): CloudColumn {
  return { name, datatype, size: values.BYTES_PER_ELEMENT, bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength), stride, offset };
}

/**
 * A sweep: x y z intensity (float32, the sensor frame), ring (uint16), time (float32 seconds
 * after the header stamp, the sweep's start: each point's own time under motion distortion),
 * and the labels the frame has (instance uint32, semantic uint8; return uint8 with the beam
 * model; valid uint8 when no-returns are kept, and then the cloud is not dense). Its ground-truth boxes go on `<topic>/boxes`.
 */
function lidarMessages(frame: Frame): Ros2Message[] {
  const points = fieldArray(frame.data.points) as Float32Array;
  const n = frame.data.points.shape[0];
  const columns = ['x', 'y', 'z', 'intensity'].map((name, i) => column(name, FLOAT32, points, 4, i));
  if (frame.data.ring) columns.push(column('ring', UINT16, fieldArray(frame.data.ring) as Uint16Array));
  if (frame.data.time_offset_ns) {
    const offsets = fieldArray(frame.data.time_offset_ns);
    const seconds = new Float32Array(n);
    for (let i = 0; i < n; i++) seconds[i] = offsets[i] / 1e9;
    columns.push(column('time', FLOAT32, seconds));
  }
  if (frame.data.instance) columns.push(column('instance', UINT32, fieldArray(frame.data.instance) as Uint32Array));
  if (frame.data.semantic) columns.push(column('semantic', UINT8, fieldArray(frame.data.semantic) as Uint8Array));
  // Which echo a point is (with the beam model's dual returns).
  if (frame.data.return) columns.push(column('return', UINT8, fieldArray(frame.data.return) as Uint8Array));
  let dense = true;
  if (frame.data.valid) {
    const valid = fieldArray(frame.data.valid) as Uint8Array;
    columns.push(column('valid', UINT8, valid));
    for (let i = 0; i < n && dense; i++) dense = valid[i] !== 0;
  }
  const messages: Ros2Message[] = [{ topic: ros2Topic(frame.topic), type: ROS2_TYPES.pointCloud2, tNs: frame.t_ns, message: pointCloud(frame.t_ns, frame.frame_id, n, columns, dense) }];
  if (frame.data.gt_boxes && frame.data.gt_instance_ids) {
    const boxes = fieldArray(frame.data.gt_boxes);
    const ids = fieldArray(frame.data.gt_instance_ids);
    const kinds = (frame.fields.gt_kinds as string[] | undefined) ?? [];
    messages.push({ topic: `${ros2Topic(frame.topic)}/boxes`, type: ROS2_TYPES.markerArray, tNs: frame.t_ns, message: boxMarkers(frame.t_ns, frame.frame_id, boxes, ids, kinds) });
    messages.push({ topic: `${ros2Topic(frame.topic)}/detections`, type: ROS2_TYPES.detection3DArray, tNs: frame.t_ns, message: detections(frame.t_ns, frame.frame_id, boxes, ids, kinds) });
  }
  return messages;
}

/** Detections: x y z (the sensor frame) and the detection table's columns, float32; instance uint32. */
function radarCloud(frame: Frame): unknown {
  const n = frame.data.xyz?.shape[0] ?? 0;
  const xyz = n > 0 ? fieldArray(frame.data.xyz) as Float32Array : new Float32Array(0);
  const columns = ['x', 'y', 'z'].map((name, i) => column(name, FLOAT32, xyz, 3, i));
  if (frame.data.detections) {
    const table = fieldArray(frame.data.detections) as Float32Array;
    const names = (frame.fields.columns as string[] | undefined) ?? [];
    const width = frame.data.detections.shape[1] ?? names.length;
    names.forEach((name, i) => columns.push(column(name, FLOAT32, table, width, i)));
  }
  if (frame.data.instance) columns.push(column('instance', UINT32, fieldArray(frame.data.instance) as Uint32Array));
  return pointCloud(frame.t_ns, frame.frame_id, n, columns, true);
}

/** ROS image encodings of a camera's outputs (REP 118 for depth: 32FC1 metres). */
const IMAGE_OUTPUTS: Record<string, { topic: string; encoding: string; bytes: number }> = {
  rgb: { topic: 'image_raw', encoding: 'rgb8', bytes: 3 },
  depth: { topic: 'depth', encoding: '32FC1', bytes: 4 },
  semantic: { topic: 'semantic', encoding: 'mono8', bytes: 1 },
  // ROS has no unsigned 32-bit encoding; instance ids are far below 2^31.
  instance: { topic: 'instance', encoding: '32SC1', bytes: 4 },
};

/** An Image per output the frame has (`<topic>/image_raw`, `/depth`, ...) and `<topic>/camera_info`. */
function cameraMessages(frame: Frame): Ros2Message[] {
  const width = Number(frame.fields.width), height = Number(frame.fields.height);
  const messages: Ros2Message[] = [];
  for (const [name, output] of Object.entries(IMAGE_OUTPUTS)) {
    const field: ArrayField | undefined = frame.data[name];
    if (!field) continue;
    messages.push({
      topic: `${ros2Topic(frame.topic)}/${output.topic}`,
      type: ROS2_TYPES.image,
      tNs: frame.t_ns,
      message: { header: header(frame.t_ns, frame.frame_id), height, width, encoding: output.encoding, is_bigendian: 0, step: width * output.bytes, data: field.bytes },
    });
  }
  messages.push({ topic: `${ros2Topic(frame.topic)}/camera_info`, type: ROS2_TYPES.cameraInfo, tNs: frame.t_ns, message: cameraInfo(frame, width, height) });
  return messages;
}

/**
 * The intrinsics as image_pipeline reads them: plumb_bob (k1 k2 p1 p2 k3) for the pinhole
 * model, equidistant (k1 k2 k3 k4, OpenCV's fisheye; roadcast's has no k4) for the fisheye;
 * the image is not rectified, so R = I and P = K [I | 0].
 */
function cameraInfo(frame: Frame, width: number, height: number): unknown {
  const fx = Number(frame.fields.fx), fy = Number(frame.fields.fy), cx = Number(frame.fields.cx), cy = Number(frame.fields.cy);
  const [k1, k2, k3, p1, p2] = (frame.fields.distortion as number[] | undefined) ?? [0, 0, 0, 0, 0];
  const fisheye = frame.fields.model === 'fisheye';
  return {
    header: header(frame.t_ns, frame.frame_id),
    height,
    width,
    distortion_model: fisheye ? 'equidistant' : 'plumb_bob',
    d: fisheye ? [k1, k2, k3, 0] : [k1, k2, p1, p2, k3],
    k: [fx, 0, cx, 0, fy, cy, 0, 0, 1],
    r: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    p: [fx, 0, cx, 0, 0, fy, cy, 0, 0, 0, 1, 0],
    binning_x: 0,
    binning_y: 0,
    roi: { x_offset: 0, y_offset: 0, height: 0, width: 0, do_rectify: false },
  };
}

/** Orientation, rates and accelerations as measured; covariances all 0 (unknown, as REP 145 allows). */
function imu(frame: Frame): unknown {
  const q = fieldArray(frame.data.orientation);
  const w = fieldArray(frame.data.angular_velocity);
  const a = fieldArray(frame.data.linear_acceleration);
  return {
    header: header(frame.t_ns, frame.frame_id),
    orientation: { x: q[0], y: q[1], z: q[2], w: q[3] },
    orientation_covariance: new Array(9).fill(0),
    angular_velocity: { x: w[0], y: w[1], z: w[2] },
    angular_velocity_covariance: new Array(9).fill(0),
    linear_acceleration: { x: a[0], y: a[1], z: a[2] },
    linear_acceleration_covariance: new Array(9).fill(0),
  };
}

/** A GPS fix with the receiver's noise as a known diagonal covariance (east, north, up; m²). */
function navSatFix(frame: Frame): unknown {
  const lla = fieldArray(frame.data.latitude_longitude_altitude);
  const h = Number(frame.fields.horizontal_std ?? 0), v = Number(frame.fields.vertical_std ?? 0);
  return {
    header: header(frame.t_ns, frame.frame_id),
    status: { status: 0, service: 1 },
    latitude: lla[0],
    longitude: lla[1],
    altitude: lla[2],
    position_covariance: [h * h, 0, 0, 0, h * h, 0, 0, 0, v * v],
    position_covariance_type: 2,
  };
}

/** The actors' boxes in the map, as markers to see and as detections to score against. */
function groundTruthBoxes(frame: Frame): Ros2Message[] {
  const boxes = fieldArray(frame.data.boxes);
  const ids = fieldArray(frame.data.instance_ids);
  const kinds = (frame.fields.kinds as string[] | undefined) ?? [];
  return [
    { topic: ros2Topic(frame.topic), type: ROS2_TYPES.markerArray, tNs: frame.t_ns, message: boxMarkers(frame.t_ns, MAP_FRAME, boxes, ids, kinds) },
    { topic: `${ros2Topic(frame.topic)}/detections`, type: ROS2_TYPES.detection3DArray, tNs: frame.t_ns, message: detections(frame.t_ns, MAP_FRAME, boxes, ids, kinds) },
  ];
}

/**
 * Boxes as vision_msgs detections: one per instance (id: the instance id), its kind the one
 * hypothesis with score 1 and the box's pose (covariance 0: exact), its size length width height.
 */
function detections(tNs: number, frameId: string, boxes: ArrayLike<number>, ids: ArrayLike<number>, kinds: readonly string[]): unknown {
  const list: unknown[] = [];
  for (let i = 0; i < ids.length; i++) {
    const b = Array.from({ length: 10 }, (_, k) => boxes[i * 10 + k]);
    const pose = { position: { x: b[0], y: b[1], z: b[2] }, orientation: { x: b[3], y: b[4], z: b[5], w: b[6] } };
    list.push({
      header: header(tNs, frameId),
      results: [{ hypothesis: { class_id: kinds[i] ?? 'actor', score: 1 }, pose: { pose, covariance: new Array(36).fill(0) } }],
      bbox: { center: pose, size: { x: b[7], y: b[8], z: b[9] } },
      id: String(ids[i]),
    });
  }
  return { header: header(tNs, frameId), detections: list };
}

/** Colours by actor kind, as the viewer draws them (others grey). */
const KIND_COLOURS: Record<string, [number, number, number]> = {
  car: [0.2, 0.55, 1], parked_car: [0.45, 0.5, 0.6], van: [0.3, 0.7, 0.9], truck: [0.9, 0.6, 0.2], bus: [0.9, 0.8, 0.2],
  pedestrian: [1, 0.35, 0.3], child: [1, 0.5, 0.6], cyclist: [0.4, 0.9, 0.4],
};

/**
 * Boxes (centre, quaternion x y z w, length width height per row of 10) as CUBE markers, one
 * per instance (ns: the kind, id: the instance id), after a DELETEALL so that the boxes of the
 * previous message vanish: each message is the whole set at its time.
 */
function boxMarkers(tNs: number, frameId: string, boxes: ArrayLike<number>, ids: ArrayLike<number>, kinds: readonly string[]): unknown {
  const markers: unknown[] = [{ header: header(tNs, frameId), ns: '', id: 0, type: CUBE, action: DELETEALL }];
  for (let i = 0; i < ids.length; i++) {
    const b = Array.from({ length: 10 }, (_, k) => boxes[i * 10 + k]);
    const [r, g, bl] = KIND_COLOURS[kinds[i]] ?? [0.7, 0.7, 0.7];
    markers.push({
      header: header(tNs, frameId),
      ns: kinds[i] ?? 'actor',
      id: ids[i],
      type: CUBE,
      action: 0,
      pose: { position: { x: b[0], y: b[1], z: b[2] }, orientation: { x: b[3], y: b[4], z: b[5], w: b[6] } },
      scale: { x: b[7], y: b[8], z: b[9] },
      color: { r, g, b: bl, a: 0.5 },
      lifetime: { sec: 0, nanosec: 0 },
      frame_locked: false,
    });
  }
  return { markers };
}
