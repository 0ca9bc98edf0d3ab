import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { arrayField, fieldArray, type Frame } from '../../src/core/frame.js';
import { decodeFrame, encodeFrame } from '../../src/io/codec.js';
import { strictUnpack } from './strictMsgpack.js';

const POINTS = [1.5, -2.25, 3, 0.5, 100.125, 0, -0.75, 1];

function lidarFrame(t_ns = 5_000_000_000): Frame {
  return {
    v: 1,
    topic: 'lidar/top',
    kind: 'lidar',
    seq: 7,
    t_ns,
    frame_id: 'lidar_top',
    pose: { p: [10, -2, 1.8], q: [0, 0, 0.7071067811865476, 0.7071067811865476] },
    fields: { rate_hz: 10, model: 'vlp16', returns: [1, 2] },
    data: { points: arrayField(new Float32Array(POINTS), [2, 4]) },
  };
}

/** The index of the value written right after the fixstr key `key` in a map. */
function valueAfterKey(bytes: Uint8Array, key: string): number {
  const needle = [0xa0 | key.length, ...Buffer.from(key)];
  for (let i = 0; i + needle.length <= bytes.length; i++) {
    if (needle.every((b, j) => bytes[i + j] === b)) return i + needle.length;
  }
  throw new Error(`key ${key} not found`);
}

describe('encodeFrame', () => {
  it('writes a plain map that a standard decoder reads: keys, integer t_ns, little-endian float32 bytes', () => {
    const bytes = encodeFrame(lidarFrame());

    const plain = unpack(bytes) as Record<string, any>;
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(Object.keys(plain).sort()).toEqual(['data', 'fields', 'frame_id', 'kind', 'pose', 'seq', 't_ns', 'topic', 'v']);
    expect(plain.v).toBe(1);
    expect(plain.t_ns).toBe(5_000_000_000n);
    expect(plain.pose).toEqual({ p: [10, -2, 1.8], q: [0, 0, 0.7071067811865476, 0.7071067811865476] });
    expect(plain.data.points.dtype).toBe('float32');
    expect(plain.data.points.shape).toEqual([2, 4]);

    // The spec-only decoder throws on any extension type, so this is what Python would see.
    const strict = strictUnpack(bytes) as Record<string, any>;
    expect(strict.t_ns).toBe(5_000_000_000n);
    expect(strict.seq).toBe(7);
    expect(strict.fields).toEqual({ model: 'vlp16', rate_hz: 10, returns: [1, 2] });
    const raw: Uint8Array = strict.data.points.bytes;
    expect(raw).toBeInstanceOf(Uint8Array);
    expect(raw.byteLength).toBe(POINTS.length * 4);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    expect(Array.from({ length: POINTS.length }, (_, i) => view.getFloat32(i * 4, true))).toEqual(POINTS);
  });

  it('encodes t_ns with an integer type byte, never float64, also past 2^32 and 2^53/1000', () => {
    for (const t of [0, 1, 4_294_967_295, 4_294_967_296, 5_000_000_000, 9_007_199_254_740_991]) {
      const bytes = encodeFrame(lidarFrame(t));
      const at = valueAfterKey(bytes, 't_ns');
      expect(bytes[at], `type byte for t_ns=${t}`).not.toBe(0xcb);
      // int64 (0xd3) big-endian follows: the type msgpackr writes for a BigInt.
      expect(bytes[at]).toBe(0xd3);
      expect(new DataView(bytes.buffer, bytes.byteOffset + at + 1, 8).getBigInt64(0)).toBe(BigInt(t));
      expect(decodeFrame(bytes).t_ns).toBe(t);
    }
    // Array bytes are msgpack bin (0xc4..0xc6), not a msgpackr typed-array extension.
    const bytes = encodeFrame(lidarFrame());
    expect([0xc4, 0xc5, 0xc6]).toContain(bytes[valueAfterKey(bytes, 'bytes')]);
  });

  it('adds wall_ns (int64, after t_ns) only when the socket asks, never from the frame itself', () => {
    const wall = 1_765_000_000_123_456_000n;
    const live = encodeFrame(lidarFrame(), wall);
    const strict = strictUnpack(live) as Record<string, unknown>;
    expect(Object.keys(strict)).toEqual(['v', 'topic', 'kind', 'seq', 't_ns', 'wall_ns', 'frame_id', 'pose', 'fields', 'data']);
    expect(live[valueAfterKey(live, 'wall_ns')]).toBe(0xd3);
    // Plain msgpackr gives int64 as BigInt, the typed decoder as a number (to 256 ns past 2^53).
    expect((unpack(live) as Record<string, unknown>).wall_ns).toBe(wall);
    expect((unpack(live) as Record<string, unknown>).t_ns).toBe(5_000_000_000n);
    const decoded = decodeFrame(live);
    expect(decoded.t_ns).toBe(5_000_000_000);
    expect(decoded.wall_ns).toBe(Number(wall));
    expect(Math.abs(decoded.wall_ns! - 1_765_000_000_123_456_000)).toBeLessThanOrEqual(256);
    // A frame that came with wall_ns (from a live stream) is recorded without it.
    expect(Buffer.from(encodeFrame(decoded)).equals(Buffer.from(encodeFrame(lidarFrame())))).toBe(true);
    expect('wall_ns' in decodeFrame(encodeFrame(lidarFrame()))).toBe(false);
  });

  it('reads a live frame with a reader that does not know wall_ns, and refuses a bad one', () => {
    const live = encodeFrame(lidarFrame(), 1_700_000_000_000_000_000n);
    // The viewer's worker and third-party readers look keys up; an extra key changes nothing else.
    const plain = unpack(live) as Record<string, unknown>;
    const { wall_ns: _wall, ...rest } = plain;
    expect(rest).toEqual(unpack(encodeFrame(lidarFrame())));
    const bad = pack({ ...(unpack(encodeFrame(lidarFrame())) as object), wall_ns: 'now' });
    expect(() => decodeFrame(bad)).toThrow('frame key "wall_ns": expected an integer number of nanoseconds since 1970, got "now"');
  });

  it('is deterministic, whatever order fields and data were built in', () => {
    const a = lidarFrame();
    const b = lidarFrame();
    b.fields = { returns: [1, 2], model: 'vlp16', rate_hz: 10 };
    expect(Buffer.from(encodeFrame(a)).equals(Buffer.from(encodeFrame(a)))).toBe(true);
    expect(Buffer.from(encodeFrame(a)).equals(Buffer.from(encodeFrame(b)))).toBe(true);
  });

  it('returns bytes that later encodings do not overwrite', () => {
    const first = encodeFrame(lidarFrame(1));
    const copy = Buffer.from(first);
    for (let i = 0; i < 200; i++) encodeFrame(lidarFrame(i));
    expect(Buffer.from(first).equals(copy)).toBe(true);
  });
});

describe('decodeFrame', () => {
  it('round-trips a frame, with Uint8Array bytes that view back as the same floats', () => {
    const frame = lidarFrame();
    const decoded = decodeFrame(encodeFrame(frame));
    // A plain Uint8Array (not a Node Buffer), starting at offset 0 so float views need no copy.
    expect(Object.getPrototypeOf(decoded.data.points.bytes)).toBe(Uint8Array.prototype);
    expect(decoded.data.points.bytes.byteOffset).toBe(0);
    expect(Array.from(fieldArray(decoded.data.points))).toEqual(POINTS);
    expect({ ...decoded, data: {} }).toEqual({ ...frame, data: {} });
    expect(decoded.data.points.dtype).toBe('float32');
    expect(decoded.data.points.shape).toEqual([2, 4]);
  });

  it('copies array bytes out of the input buffer, so reusing the input is safe', () => {
    const bytes = encodeFrame(lidarFrame());
    const decoded = decodeFrame(bytes);
    bytes.fill(0);
    expect(Array.from(fieldArray(decoded.data.points))).toEqual(POINTS);
  });

  it('reads frames from another encoder: small t_ns as uint32, uint64 t_ns', () => {
    const frame = lidarFrame();
    const other = { ...frame, t_ns: 1_000, data: { points: { ...frame.data.points, bytes: Buffer.from(frame.data.points.bytes) } } };
    expect(decodeFrame(pack(other)).t_ns).toBe(1_000);
    // Python's msgpack writes a positive integer >= 2^32 as uint64 (0xcf).
    const bytes = encodeFrame(frame);
    bytes[valueAfterKey(bytes, 't_ns')] = 0xcf;
    expect(decodeFrame(bytes).t_ns).toBe(5_000_000_000);
  });

  it('rejects a version it does not know with a clear message', () => {
    const bytes = encodeFrame({ ...lidarFrame(), v: 2 });
    expect(() => decodeFrame(bytes)).toThrow(UserError);
    expect(() => decodeFrame(bytes)).toThrow('unsupported frame version 2; this roadcast reads version 1');
  });

  it('rejects non-maps, missing keys, bad arrays and non-msgpack bytes, naming the source', () => {
    expect(() => decodeFrame(pack([1, 2, 3]))).toThrow(/a frame must be a MessagePack map, got an array/);
    expect(() => decodeFrame(pack({ topic: 'x' }))).toThrow(/no "v" \(frame version\) key/);
    const { topic: _dropped, ...noTopic } = lidarFrame();
    expect(() => decodeFrame(pack(noTopic))).toThrow(/frame has no "topic" key \(expected a string\)/);
    const short = lidarFrame();
    short.data.points = { ...short.data.points, bytes: short.data.points.bytes.subarray(4) };
    expect(() => decodeFrame(encodeFrame(short))).toThrow('frame key "data.points": shape [2, 4] of float32 needs 32 bytes, got 28');
    expect(() => decodeFrame(new Uint8Array([0x82, 0xa1]), 'run.mcap (message 3)')).toThrow(/^run\.mcap \(message 3\): not a MessagePack frame/);
    try {
      decodeFrame(pack({ ...lidarFrame(), seq: -1 }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toBe('frame key "seq": expected a non-negative integer, got number -1');
    }
  });
});
