/**
 * The frame every sensor produces and every sink consumes (DESIGN.md, "Wire format").
 * Defined in core/ so that sensors/ can build frames without importing io/.
 */

export const FRAME_VERSION = 1;

export type Dtype = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

/** A typed array on the wire: little-endian raw bytes with its element type and shape. */
export interface ArrayField {
  dtype: Dtype;
  shape: number[];
  bytes: Uint8Array;
}

/** A frame's pose in the world: position and unit quaternion (x, y, z, w). */
export interface Pose {
  p: [number, number, number];
  q: [number, number, number, number];
}

export interface Frame {
  v: number;
  topic: string;
  kind: string;
  /** Per-topic sequence number, from 0. */
  seq: number;
  /** Simulation time of the measurement, integer nanoseconds. */
  t_ns: number;
  /**
   * Frames from a live stream only: the wall-clock time (integer nanoseconds since the Unix
   * epoch) at which the server broadcast the frame. Never part of a recording, so recordings
   * stay byte-identical run to run; past 2^53 ns a number holds it to within 256 ns.
   */
  wall_ns?: number;
  /** The frame the data is expressed in (a sensor name, or "world"). */
  frame_id: string;
  pose: Pose;
  fields: Record<string, number | string | boolean | number[] | string[]>;
  data: Record<string, ArrayField>;
}

type AnyTypedArray =
  | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

const DTYPE_OF = new Map<Function, Dtype>([
  [Uint8Array, 'uint8'], [Int8Array, 'int8'], [Uint16Array, 'uint16'], [Int16Array, 'int16'],
  [Uint32Array, 'uint32'], [Int32Array, 'int32'], [Float32Array, 'float32'], [Float64Array, 'float64'],
]);

export const ARRAY_OF_DTYPE: Record<Dtype, { new (buffer: ArrayBuffer, offset: number, length: number): AnyTypedArray; BYTES_PER_ELEMENT: number }> = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
};

/** Wraps a typed array as an ArrayField (no copy: this platform is little-endian, checked at load). */
export function arrayField(array: AnyTypedArray, shape: number[]): ArrayField {
  const dtype = DTYPE_OF.get(array.constructor);
  if (!dtype) throw new Error(`unsupported typed array ${array.constructor.name}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== array.length) throw new Error(`shape [${shape}] holds ${count} elements, array has ${array.length}`);
  return { dtype, shape, bytes: new Uint8Array(array.buffer, array.byteOffset, array.byteLength) };
}

/** Views an ArrayField's bytes as a typed array (copies only when the bytes are misaligned). */
export function fieldArray(field: ArrayField): AnyTypedArray {
  const Ctor = ARRAY_OF_DTYPE[field.dtype];
  if (!Ctor) throw new Error(`unknown dtype ${String(field.dtype)}`);
  const n = field.bytes.byteLength / Ctor.BYTES_PER_ELEMENT;
  if (field.bytes.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) {
    return new Ctor(field.bytes.buffer as ArrayBuffer, field.bytes.byteOffset, n);
  }
  const copy = field.bytes.slice();
  return new Ctor(copy.buffer as ArrayBuffer, 0, n);
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('roadcast needs a little-endian platform: the wire format stores arrays little-endian');
}
