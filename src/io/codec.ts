/**
 * The wire codec: one plain MessagePack map per frame (DESIGN.md, "Wire format").
 *
 * Plain means a consumer in any language reads it with a stock msgpack library: no msgpackr
 * records or structures, no extension types, arrays as `{dtype, shape, bytes}` with `bytes`
 * as msgpack bin. This is the one place that knows the layout; bump FRAME_VERSION (core/) when
 * it changes.
 */
import { Packr, Unpackr } from 'msgpackr';
import { UserError } from '../core/errors.js';
import { ARRAY_OF_DTYPE, FRAME_VERSION, type ArrayField, type Dtype, type Frame, type Pose } from '../core/frame.js';

const packr = new Packr({
  // Records are a msgpackr extension other decoders cannot read.
  useRecords: false,
  // A stray undefined would otherwise become msgpackr's private extension type.
  encodeUndefinedAsNil: true,
  // fixmap for small maps: the smallest standard encoding, and what other encoders emit.
  variableMapSize: true,
});

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

/**
 * Encodes a frame to MessagePack bytes. Deterministic: the same frame gives the same bytes
 * (keys of `fields` and `data` are written sorted, so the order they were built in does not
 * matter). The result is never overwritten by later calls, so it may be queued (sockets).
 *
 * `wallNs` is for live streams only (FrameServer): it adds the `wall_ns` key after `t_ns`.
 * A frame's own `wall_ns` is never written, so a recording of frames that came from a live
 * stream holds no wall-clock time either.
 */
export function encodeFrame(frame: Frame, wallNs?: bigint): Uint8Array {
  if (!Number.isSafeInteger(frame.t_ns)) {
    throw new Error(`frame ${frame.topic}#${frame.seq}: t_ns must be an integer number of nanoseconds, got ${frame.t_ns}`);
  }
  return packr.pack({
    v: frame.v,
    topic: frame.topic,
    kind: frame.kind,
    seq: frame.seq,
    // msgpackr writes a JS number >= 2^32 as float64, and t_ns passes 2^32 after 4.3 s. A
    // BigInt is always written as int64 (0xd3), so t_ns has one integer type at every time.
    t_ns: BigInt(frame.t_ns),
    // No key at all when absent (not nil): recordings hold no trace of the wall clock.
    ...(wallNs === undefined ? {} : { wall_ns: wallNs }),
    frame_id: frame.frame_id,
    // Array.from: a typed array here would be packed as a msgpackr extension.
    pose: { p: Array.from(frame.pose.p), q: Array.from(frame.pose.q) },
    fields: sortedRecord(frame.fields, (value) => (ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value)),
    data: sortedRecord(frame.data, (field) => ({ dtype: field.dtype, shape: Array.from(field.shape), bytes: asPlainBytes(field.bytes) })),
  });
}

/**
 * Decodes and validates one frame. `source` (a file, a message number) prefixes any error.
 * Array bytes are copied into fresh, aligned Uint8Arrays: the input often is a reused read
 * buffer (MCAP reader, socket), and an aligned copy lets `fieldArray` view it without copying.
 */
export function decodeFrame(bytes: Uint8Array, source?: string): Frame {
  let raw: unknown;
  try {
    raw = unpackr.unpack(bytes);
  } catch (error) {
    throw new UserError(`not a MessagePack frame (${(error as Error).message})`, source);
  }
  return validateFrame(raw, source);
}

function validateFrame(raw: unknown, source?: string): Frame {
  const fail = (message: string): never => {
    throw new UserError(message, source);
  };
  if (!isPlainObject(raw)) fail(`a frame must be a MessagePack map, got ${describe(raw)}`);
  const map = raw as Record<string, unknown>;
  // The version comes first: a newer frame may have other keys, and "unsupported version"
  // is the useful message then, not "missing key".
  if (!('v' in map)) fail('not a roadcast frame: the map has no "v" (frame version) key');
  const version = toInteger(map.v);
  if (version !== FRAME_VERSION) {
    const shown = typeof map.v === 'number' || typeof map.v === 'bigint' ? String(map.v) : describe(map.v);
    fail(`unsupported frame version ${shown}; this roadcast reads version ${FRAME_VERSION}`);
  }
  const key = <T>(name: string, check: (value: unknown) => T | undefined, expected: string): T => {
    if (!(name in map)) fail(`frame has no "${name}" key (expected ${expected})`);
    const value = check(map[name]);
    if (value === undefined) fail(`frame key "${name}": expected ${expected}, got ${describe(map[name])}`);
    return value as T;
  };
  const topic = key('topic', asString, 'a string');
  const kind = key('kind', asString, 'a string');
  const seq = key('seq', (value) => nonNegative(toInteger(value)), 'a non-negative integer');
  const t_ns = key('t_ns', toInteger, 'an integer number of nanoseconds');
  // Live frames only; a reader that does not know the key ignores it like any other.
  const wall_ns = 'wall_ns' in map ? key('wall_ns', (value) => nonNegative(toNumber(value)), 'an integer number of nanoseconds since 1970') : undefined;
  const frame_id = key('frame_id', asString, 'a string');
  const pose = key('pose', asPose, '{ p: [x, y, z], q: [x, y, z, w] } of numbers');
  const fields = key('fields', asFields, 'a map of numbers, strings, booleans, number arrays or string arrays');
  const rawData = key('data', (value) => (isPlainObject(value) ? value : undefined), 'a map of arrays');
  const data: Record<string, ArrayField> = {};
  for (const [name, value] of Object.entries(rawData)) {
    const result = asArrayField(value);
    if (typeof result === 'string') fail(`frame key "data.${name}": ${result}`);
    data[name] = result as ArrayField;
  }
  return { v: FRAME_VERSION, topic, kind, seq, t_ns, ...(wall_ns === undefined ? {} : { wall_ns }), frame_id, pose, fields, data };
}

function asArrayField(value: unknown): ArrayField | string {
  if (!isPlainObject(value)) return `expected { dtype, shape, bytes }, got ${describe(value)}`;
  const { dtype, shape, bytes } = value as Record<string, unknown>;
  if (typeof dtype !== 'string' || !Object.hasOwn(ARRAY_OF_DTYPE, dtype)) {
    return `dtype ${describe(dtype)} is not one of ${Object.keys(ARRAY_OF_DTYPE).join(', ')}`;
  }
  const dims = Array.isArray(shape) ? shape.map((n) => nonNegative(toInteger(n))) : undefined;
  if (!dims || dims.some((n) => n === undefined)) return `shape must be an array of non-negative integers, got ${describe(shape)}`;
  if (!(bytes instanceof Uint8Array)) return `bytes must be MessagePack bin, got ${describe(bytes)}`;
  const count = (dims as number[]).reduce((a, b) => a * b, 1);
  const expected = count * ARRAY_OF_DTYPE[dtype as Dtype].BYTES_PER_ELEMENT;
  if (bytes.byteLength !== expected) {
    return `shape [${dims.join(', ')}] of ${dtype} needs ${expected} bytes, got ${bytes.byteLength}`;
  }
  return { dtype: dtype as Dtype, shape: dims as number[], bytes: new Uint8Array(bytes) };
}

function asPose(value: unknown): Pose | undefined {
  if (!isPlainObject(value)) return undefined;
  const { p, q } = value as Record<string, unknown>;
  if (!isNumberArray(p, 3) || !isNumberArray(q, 4)) return undefined;
  return { p: [...p] as Pose['p'], q: [...q] as Pose['q'] };
}

function asFields(value: unknown): Frame['fields'] | undefined {
  if (!isPlainObject(value)) return undefined;
  const fields: Frame['fields'] = {};
  for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
    if (typeof item === 'number' || typeof item === 'string' || typeof item === 'boolean') fields[name] = item;
    // Integers past 2^53 (another encoder's uint64) are still scalars; keep them as numbers.
    else if (typeof item === 'bigint') fields[name] = Number(item);
    else if (isNumberArray(item)) fields[name] = item;
    else if (Array.isArray(item) && item.every((x) => typeof x === 'string')) fields[name] = item as string[];
    else return undefined;
  }
  return fields;
}

function sortedRecord<T, U>(record: Record<string, T>, map: (value: T) => U): Record<string, U> {
  const out: Record<string, U> = {};
  // Code-unit order, not localeCompare: the bytes must not depend on the machine's locale.
  for (const name of Object.keys(record).sort()) out[name] = map(record[name]);
  return out;
}

/** msgpackr writes only Uint8Array (and Buffer) as bin; any other view would become an extension. */
function asPlainBytes(bytes: Uint8Array): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  const view = bytes as ArrayBufferView;
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Integers arrive as numbers (fixint, uint32) or BigInt (int64/uint64, e.g. t_ns). */
function toInteger(value: unknown): number | undefined {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : undefined;
  }
  return Number.isSafeInteger(value) ? (value as number) : undefined;
}

/**
 * An integer of any size as a number: exact up to 2^53, rounded beyond (wall_ns, about 2^60,
 * to 256 ns), for times where that precision is plenty and one number type is simpler.
 */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'bigint') return Number(value);
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

function nonNegative(value: number | undefined): number | undefined {
  return value !== undefined && value >= 0 ? value : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isNumberArray(value: unknown, length?: number): value is number[] {
  return Array.isArray(value) && (length === undefined || value.length === length) && value.every((n) => typeof n === 'number');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'nil';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return `bin (${value.byteLength} bytes)`;
  if (typeof value === 'object') return isPlainObject(value) ? 'a map' : `a ${value.constructor?.name ?? 'value'}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return `${typeof value} ${String(value)}`;
}
