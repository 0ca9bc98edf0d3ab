/**
 * A minimal MessagePack decoder written from the spec, independent of msgpackr, that accepts
 * only the standard types and throws on every extension type. If it reads a frame, a stock
 * decoder in any language (Python's msgpack.unpackb) reads it the same way.
 */
export type Plain = null | boolean | number | bigint | string | Uint8Array | Plain[] | { [key: string]: Plain };

export function strictUnpack(bytes: Uint8Array): Plain {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const text = new TextDecoder('utf-8', { fatal: true });
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.length) throw new Error('truncated');
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  // Reads a big-endian number of `size` bytes at the cursor and moves past it.
  const num = <T>(size: number, get: (offset: number) => T): T => {
    const offset = at;
    take(size);
    return get.call(view, offset);
  };
  const u8 = (): number => num(1, view.getUint8);
  const u16 = (): number => num(2, view.getUint16);
  const u32 = (): number => num(4, view.getUint32);
  const array = (n: number): Plain[] => Array.from({ length: n }, () => read());
  const map = (n: number): { [key: string]: Plain } => {
    const out: { [key: string]: Plain } = {};
    for (let i = 0; i < n; i++) {
      const key = read();
      if (typeof key !== 'string') throw new Error('non-string map key');
      out[key] = read();
    }
    return out;
  };
  function read(): Plain {
    const type = u8();
    if (type <= 0x7f) return type;
    if (type >= 0xe0) return type - 0x100;
    if ((type & 0xf0) === 0x80) return map(type & 0x0f);
    if ((type & 0xf0) === 0x90) return array(type & 0x0f);
    if ((type & 0xe0) === 0xa0) return text.decode(take(type & 0x1f));
    switch (type) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return take(u8()).slice();
      case 0xc5: return take(u16()).slice();
      case 0xc6: return take(u32()).slice();
      case 0xca: return num(4, view.getFloat32);
      case 0xcb: return num(8, view.getFloat64);
      case 0xcc: return u8();
      case 0xcd: return u16();
      case 0xce: return u32();
      case 0xcf: return num(8, view.getBigUint64);
      case 0xd0: return num(1, view.getInt8);
      case 0xd1: return num(2, view.getInt16);
      case 0xd2: return num(4, view.getInt32);
      case 0xd3: return num(8, view.getBigInt64);
      case 0xd9: return text.decode(take(u8()));
      case 0xda: return text.decode(take(u16()));
      case 0xdb: return text.decode(take(u32()));
      case 0xdc: return array(u16());
      case 0xdd: return array(u32());
      case 0xde: return map(u16());
      case 0xdf: return map(u32());
      default: throw new Error(`type byte 0x${type.toString(16)} is not plain MessagePack (extension or reserved)`);
    }
  }
  const value = read();
  if (at !== bytes.length) throw new Error(`${bytes.length - at} trailing bytes`);
  return value;
}
