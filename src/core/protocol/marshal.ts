/**
 * A decoder for the subset of Python's `marshal` format (version 4, stable from Python 3.4 to
 * 3.14 when the version is passed explicitly) that the tracer's event batches use: None, bools,
 * ints (small and long), floats, str, bytes, tuples, lists and dicts, with back-references.
 *
 * Why marshal: serialising a batch with `marshal.dumps` costs ~0.25 µs per event on these
 * machines against ~5 µs for `json.dumps` (docs/protocol.md, "Cost"), and that work happens inside
 * the traced program. Anything outside the subset, truncated or inconsistent throws MarshalError,
 * which the wire decoder turns into a counted rejection.
 */

export class MarshalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MarshalError';
  }
}

const FLAG_REF = 0x80;
const MAX_DEPTH = 32;
const utf8 = new TextDecoder('utf-8', { fatal: false });
const latin1 = new TextDecoder('latin1');

export type MarshalValue = null | boolean | number | string | Uint8Array | MarshalValue[] | { [key: string]: MarshalValue };

export function decodeMarshal(buf: Uint8Array): MarshalValue {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const refs: MarshalValue[] = [];
  let pos = 0;

  const need = (n: number): void => {
    if (n < 0 || pos + n > buf.length) throw new MarshalError(`truncated at byte ${pos}`);
  };
  const u8 = (): number => {
    need(1);
    return buf[pos++]!;
  };
  const i32 = (): number => {
    need(4);
    const v = view.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const len32 = (): number => {
    const n = i32();
    if (n < 0) throw new MarshalError(`negative length at byte ${pos - 4}`);
    return n;
  };
  const bytes = (n: number): Uint8Array => {
    need(n);
    const b = buf.subarray(pos, pos + n);
    pos += n;
    return b;
  };

  const read = (depth: number): MarshalValue => {
    if (depth > MAX_DEPTH) throw new MarshalError('nested too deeply');
    const code = u8();
    const flag = (code & FLAG_REF) !== 0;
    const type = String.fromCharCode(code & ~FLAG_REF);
    // Containers reserve their reference slot before their items (as CPython's reader does).
    const reserve = (): number => {
      if (!flag) return -1;
      refs.push(null);
      return refs.length - 1;
    };
    const done = (v: MarshalValue, slot = -2): MarshalValue => {
      if (slot >= 0) refs[slot] = v;
      else if (flag && slot === -2) refs.push(v);
      return v;
    };
    switch (type) {
      case 'N':
        return done(null);
      case 'T':
        return done(true);
      case 'F':
        return done(false);
      case 'i':
        return done(i32());
      case 'l': {
        const n = i32();
        const count = Math.abs(n);
        if (count > 8) throw new MarshalError('integer too large');
        let v = 0;
        for (let k = 0; k < count; k++) {
          need(2);
          const d = view.getUint16(pos + 2 * k, true);
          if (d >= 1 << 15) throw new MarshalError('bad long digit');
          v += d * 2 ** (15 * k);
        }
        pos += 2 * count;
        return done(n < 0 ? -v : v);
      }
      case 'g': {
        need(8);
        const v = view.getFloat64(pos, true);
        pos += 8;
        return done(v);
      }
      case 'u':
      case 't':
        return done(utf8.decode(bytes(len32())));
      case 'a':
      case 'A':
        return done(latin1.decode(bytes(len32())));
      case 'z':
      case 'Z':
        return done(latin1.decode(bytes(u8())));
      case 's':
        return done(Uint8Array.from(bytes(len32()))); // a copy: the frame's buffer is reused
      case '(':
      case ')':
      case '[': {
        const n = type === ')' ? u8() : len32();
        if (n > buf.length - pos) throw new MarshalError('sequence longer than the frame');
        const slot = reserve();
        const arr: MarshalValue[] = [];
        if (slot >= 0) refs[slot] = arr;
        for (let k = 0; k < n; k++) arr.push(read(depth + 1));
        return done(arr, slot);
      }
      case '{': {
        const slot = reserve();
        const obj: { [key: string]: MarshalValue } = Object.create(null) as { [key: string]: MarshalValue };
        if (slot >= 0) refs[slot] = obj;
        for (;;) {
          need(1);
          if (buf[pos] === 0x30 /* '0' */) {
            pos++;
            break;
          }
          const k = read(depth + 1);
          if (typeof k !== 'string') throw new MarshalError('dict key is not a str');
          obj[k] = read(depth + 1);
        }
        return done(obj, slot);
      }
      case 'r': {
        const idx = i32();
        if (idx < 0 || idx >= refs.length) throw new MarshalError(`bad back-reference ${idx}`);
        return refs[idx]!;
      }
      default:
        throw new MarshalError(`unsupported marshal type 0x${(code & ~FLAG_REF).toString(16)} at byte ${pos - 1}`);
    }
  };

  const value = read(0);
  if (pos !== buf.length) throw new MarshalError(`${buf.length - pos} trailing bytes`);
  return value;
}
