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
  const r = new Reader(buf);
  const value = r.read(0);
  if (r.pos !== buf.length) throw new MarshalError(`${buf.length - r.pos} trailing bytes`);
  return value;
}

// Type codes (the low 7 bits of the first byte of each object).
const T_NULL = 0x30; // '0' ends a dict
const T_NONE = 0x4e; // N
const T_TRUE = 0x54; // T
const T_FALSE = 0x46; // F
const T_INT = 0x69; // i
const T_LONG = 0x6c; // l
const T_FLOAT = 0x67; // g
const T_UNICODE = 0x75; // u
const T_INTERNED = 0x74; // t
const T_ASCII = 0x61; // a
const T_ASCII_INTERNED = 0x41; // A
const T_SHORT_ASCII = 0x7a; // z
const T_SHORT_ASCII_INTERNED = 0x5a; // Z
const T_BYTES = 0x73; // s
const T_TUPLE = 0x28; // (
const T_SMALL_TUPLE = 0x29; // )
const T_LIST = 0x5b; // [
const T_DICT = 0x7b; // {
const T_REF = 0x72; // r

/** A class with a numeric switch: ~10x faster than closures and string compares per object. */
class Reader {
  pos = 0;
  private readonly refs: MarshalValue[] = [];
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) throw new MarshalError(`truncated at byte ${this.pos}`);
  }

  private u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  private i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  private len32(): number {
    const n = this.i32();
    if (n < 0) throw new MarshalError(`negative length at byte ${this.pos - 4}`);
    return n;
  }

  /** Latin-1 / ASCII bytes to a string; short ones without TextDecoder (its per-call cost dominates). */
  private latin1(n: number): string {
    this.need(n);
    const { buf } = this;
    const start = this.pos;
    this.pos += n;
    if (n > 64) return latin1.decode(buf.subarray(start, start + n));
    let s = '';
    for (let k = start; k < start + n; k++) s += String.fromCharCode(buf[k]!);
    return s;
  }

  private utf8(n: number): string {
    this.need(n);
    const { buf } = this;
    const start = this.pos;
    if (n <= 64) {
      let ascii = true;
      for (let k = start; k < start + n; k++) {
        if (buf[k]! >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) return this.latin1(n);
    }
    this.pos += n;
    return utf8.decode(buf.subarray(start, start + n));
  }

  read(depth: number): MarshalValue {
    if (depth > MAX_DEPTH) throw new MarshalError('nested too deeply');
    const code = this.u8();
    const flag = (code & FLAG_REF) !== 0;
    const type = code & ~FLAG_REF;
    let v: MarshalValue;
    switch (type) {
      case T_NONE:
        v = null;
        break;
      case T_TRUE:
        v = true;
        break;
      case T_FALSE:
        v = false;
        break;
      case T_INT:
        v = this.i32();
        break;
      case T_LONG: {
        const n = this.i32();
        const count = Math.abs(n);
        if (count > 8) throw new MarshalError('integer too large');
        this.need(2 * count);
        let x = 0;
        for (let k = 0; k < count; k++) {
          const d = this.view.getUint16(this.pos + 2 * k, true);
          if (d >= 1 << 15) throw new MarshalError('bad long digit');
          x += d * 2 ** (15 * k);
        }
        this.pos += 2 * count;
        v = n < 0 ? -x : x;
        break;
      }
      case T_FLOAT:
        this.need(8);
        v = this.view.getFloat64(this.pos, true);
        this.pos += 8;
        break;
      case T_UNICODE:
      case T_INTERNED:
        v = this.utf8(this.len32());
        break;
      case T_ASCII:
      case T_ASCII_INTERNED:
        v = this.latin1(this.len32());
        break;
      case T_SHORT_ASCII:
      case T_SHORT_ASCII_INTERNED:
        v = this.latin1(this.u8());
        break;
      case T_BYTES: {
        const n = this.len32();
        this.need(n);
        v = Uint8Array.from(this.buf.subarray(this.pos, this.pos + n)); // a copy: the frame's buffer is reused
        this.pos += n;
        break;
      }
      case T_TUPLE:
      case T_SMALL_TUPLE:
      case T_LIST: {
        const n = type === T_SMALL_TUPLE ? this.u8() : this.len32();
        if (n > this.buf.length - this.pos) throw new MarshalError('sequence longer than the frame');
        const arr: MarshalValue[] = new Array<MarshalValue>(n);
        // Containers take their reference slot before their items, as CPython's reader does.
        if (flag) this.refs.push(arr);
        for (let k = 0; k < n; k++) arr[k] = this.read(depth + 1);
        return arr;
      }
      case T_DICT: {
        const obj: { [key: string]: MarshalValue } = Object.create(null) as { [key: string]: MarshalValue };
        if (flag) this.refs.push(obj);
        for (;;) {
          this.need(1);
          if (this.buf[this.pos] === T_NULL) {
            this.pos++;
            break;
          }
          const k = this.read(depth + 1);
          if (typeof k !== 'string') throw new MarshalError('dict key is not a str');
          obj[k] = this.read(depth + 1);
        }
        return obj;
      }
      case T_REF: {
        const idx = this.i32();
        if (idx < 0 || idx >= this.refs.length) throw new MarshalError(`bad back-reference ${idx}`);
        return this.refs[idx]!;
      }
      default:
        throw new MarshalError(`unsupported marshal type 0x${type.toString(16)} at byte ${this.pos - 1}`);
    }
    if (flag) this.refs.push(v);
    return v;
  }
}
