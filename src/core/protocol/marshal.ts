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
/** Strings up to this many bytes are built with one String.fromCharCode call (see shortAscii). */
const SHORT_STRING = 16;

export type MarshalValue = null | boolean | number | string | Uint8Array | MarshalValue[] | { [key: string]: MarshalValue };

export function decodeMarshal(buf: Uint8Array): MarshalValue {
  const r = new MarshalReader(buf);
  const value = r.read(0);
  if (!r.done) throw new MarshalError(`${buf.length - r.pos} trailing bytes`);
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

const fromCharCode = String.fromCharCode;

/**
 * Bytes < 0x100 as a string of n <= SHORT_STRING characters. One fixed-arity fromCharCode call
 * builds a flat string in ~40 ns here; appending character by character costs ~14 ns per
 * character plus flattening the rope later, and a native call (Buffer#toString, TextDecoder)
 * costs 130-450 ns whatever the length. Previews, ids and ops are almost all this short.
 */
function shortAscii(b: Uint8Array, p: number, n: number): string {
  switch (n) {
    case 0: return '';
    case 1: return fromCharCode(b[p]!);
    case 2: return fromCharCode(b[p]!, b[p + 1]!);
    case 3: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!);
    case 4: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!);
    case 5: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!);
    case 6: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!);
    case 7: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!);
    case 8: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!);
    case 9: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!);
    case 10: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!);
    case 11: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!);
    case 12: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!);
    case 13: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!);
    case 14: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!);
    case 15: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!);
    case 16: return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!, b[p + 15]!);
    default: {
      let s = ''; // not reached (n <= SHORT_STRING), but right for any n
      for (let k = p; k < p + n; k++) s += fromCharCode(b[k]!);
      return s;
    }
  }
}

/**
 * Reads one marshal buffer front to back. A class with a numeric switch: ~10x faster than
 * closures and string compares per object. On top of that (bench/decode.mjs: ~1.1 µs down to
 * ~0.35 µs per channel.op event on the project's machine): integers are read byte by byte
 * instead of through DataView calls, each object checks its bounds once, short strings are built
 * without a native call, and the scalar items of a tuple or list (all of an event's but argv and
 * detail) are decoded by item() without a recursive call per item.
 */
class MarshalReader {
  pos = 0;
  private readonly refs: MarshalValue[] = [];
  /** Made on first use: floats and long strings only. */
  private view: DataView | null = null;
  private nodeBuf: Buffer | null = null;

  constructor(private readonly buf: Uint8Array) {}

  /** Every byte has been read. */
  get done(): boolean {
    return this.pos === this.buf.length;
  }

  private truncated(): MarshalError {
    return new MarshalError(`truncated at byte ${this.pos}`);
  }

  /** Moves past n bytes that must be there; returns where they start. */
  private take(n: number): number {
    const p = this.pos;
    if (p + n > this.buf.length) throw this.truncated();
    this.pos = p + n;
    return p;
  }

  private u8(): number {
    return this.buf[this.take(1)]!;
  }

  /** Little-endian int32 (marshal's byte order on every platform). */
  private i32(): number {
    const b = this.buf;
    const p = this.take(4);
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  }

  private len32(): number {
    const n = this.i32();
    if (n < 0) throw new MarshalError(`negative length at byte ${this.pos - 4}`);
    return n;
  }

  /** A Python int as signed count of 15-bit digits, least significant first. */
  private long(): number {
    const n = this.i32();
    const count = n < 0 ? -n : n;
    if (count > 8) throw new MarshalError('integer too large');
    const b = this.buf;
    const p = this.take(2 * count);
    let x = 0;
    let scale = 1; // 2 ** (15 * k): powers of two, exact
    for (let k = 0; k < count; k++) {
      const d = b[p + 2 * k]! | (b[p + 2 * k + 1]! << 8);
      if (d >= 0x8000) throw new MarshalError('bad long digit');
      x += d * scale;
      scale *= 0x8000;
    }
    return n < 0 ? -x : x;
  }

  private f64(): number {
    const p = this.take(8);
    const view = (this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
    return view.getFloat64(p, true);
  }

  /** The frame as a Buffer (no copy), for the native string decoders. */
  private node(): Buffer {
    const b = this.buf;
    return (this.nodeBuf ??= Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  }

  /** Latin-1 / ASCII bytes to a string. */
  private latin1(n: number): string {
    const p = this.take(n);
    return n <= SHORT_STRING ? shortAscii(this.buf, p, n) : this.node().toString('latin1', p, p + n);
  }

  private utf8(n: number): string {
    const p = this.take(n);
    const b = this.buf;
    if (n <= SHORT_STRING) {
      let high = 0;
      for (let k = p; k < p + n; k++) high |= b[k]!;
      if (high < 0x80) return shortAscii(b, p, n);
    }
    // Invalid sequences (lone surrogates, which marshal writes with surrogatepass) become U+FFFD.
    return this.node().toString('utf8', p, p + n);
  }

  /** One value at nesting depth `depth` (the buffer's outermost value is 0). */
  read(depth: number): MarshalValue {
    if (depth > MAX_DEPTH) throw new MarshalError('nested too deeply');
    const code = this.u8();
    const type = code & ~FLAG_REF;
    switch (type) {
      case T_TUPLE:
      case T_SMALL_TUPLE:
      case T_LIST:
        return this.sequence(type, code, depth);
      case T_DICT:
        return this.dict(code, depth);
      case T_REF:
        return this.ref();
      default: {
        const v = this.scalar(type);
        if ((code & FLAG_REF) !== 0) this.refs.push(v);
        return v;
      }
    }
  }

  /**
   * read(depth) for an item of a tuple or list, with the values an event is made of decoded in
   * this one function: back-references, None, bools, ints and short ASCII strings. Everything
   * else (containers, the end of the buffer, the depth limit...) goes through read().
   * Why: a recursive read() call per item was ~7 ns of the ~13 ns a None cost, and how much of
   * read()'s helpers the JIT inlined varied from run to run (decode times of 500 or 950 ns per
   * event); here the hot cases depend on no inlining decision.
   */
  item(depth: number): MarshalValue {
    const b = this.buf;
    const p = this.pos;
    const code = b[p];
    if (code === undefined || depth > MAX_DEPTH) return this.read(depth);
    let v: MarshalValue;
    switch (code & ~FLAG_REF) {
      case T_REF: {
        if (p + 5 > b.length) return this.read(depth); // reports the truncation
        const idx = b[p + 1]! | (b[p + 2]! << 8) | (b[p + 3]! << 16) | (b[p + 4]! << 24);
        this.pos = p + 5;
        if (idx < 0 || idx >= this.refs.length) throw new MarshalError(`bad back-reference ${idx}`);
        return this.refs[idx]!; // a back-reference takes no slot of its own
      }
      case T_NONE:
        v = null;
        this.pos = p + 1;
        break;
      case T_TRUE:
        v = true;
        this.pos = p + 1;
        break;
      case T_FALSE:
        v = false;
        this.pos = p + 1;
        break;
      case T_INT:
        if (p + 5 > b.length) return this.read(depth);
        v = b[p + 1]! | (b[p + 2]! << 8) | (b[p + 3]! << 16) | (b[p + 4]! << 24);
        this.pos = p + 5;
        break;
      case T_SHORT_ASCII:
      case T_SHORT_ASCII_INTERNED: {
        const n = b[p + 1];
        if (n === undefined || n > SHORT_STRING || p + 2 + n > b.length) return this.read(depth);
        v = shortAscii(b, p + 2, n);
        this.pos = p + 2 + n;
        break;
      }
      case T_LONG:
        this.pos = p + 1;
        v = this.long();
        break;
      default:
        return this.read(depth);
    }
    if ((code & FLAG_REF) !== 0) this.refs.push(v);
    return v;
  }

  private sequence(type: number, code: number, depth: number): MarshalValue[] {
    const n = type === T_SMALL_TUPLE ? this.u8() : this.len32();
    if (n > this.buf.length - this.pos) throw new MarshalError('sequence longer than the frame');
    const arr: MarshalValue[] = new Array<MarshalValue>(n);
    // Containers take their reference slot before their items, as CPython's reader does.
    if ((code & FLAG_REF) !== 0) this.refs.push(arr);
    for (let k = 0; k < n; k++) arr[k] = this.item(depth + 1);
    return arr;
  }

  private dict(code: number, depth: number): { [key: string]: MarshalValue } {
    const obj: { [key: string]: MarshalValue } = Object.create(null) as { [key: string]: MarshalValue };
    if ((code & FLAG_REF) !== 0) this.refs.push(obj);
    for (;;) {
      if (this.pos >= this.buf.length) throw this.truncated();
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

  /** A back-reference (its type byte already read). */
  private ref(): MarshalValue {
    const idx = this.i32();
    if (idx < 0 || idx >= this.refs.length) throw new MarshalError(`bad back-reference ${idx}`);
    return this.refs[idx]!;
  }

  /** Any value but a container or a back-reference (its type byte already read). */
  private scalar(type: number): MarshalValue {
    switch (type) {
      case T_NONE:
        return null;
      case T_TRUE:
        return true;
      case T_FALSE:
        return false;
      case T_INT:
        return this.i32();
      case T_LONG:
        return this.long();
      case T_FLOAT:
        return this.f64();
      case T_SHORT_ASCII:
      case T_SHORT_ASCII_INTERNED:
        return this.latin1(this.u8());
      case T_ASCII:
      case T_ASCII_INTERNED:
        return this.latin1(this.len32());
      case T_UNICODE:
      case T_INTERNED:
        return this.utf8(this.len32());
      case T_BYTES: {
        const n = this.len32();
        const p = this.take(n);
        return Uint8Array.from(this.buf.subarray(p, p + n)); // a copy: the frame's buffer is reused
      }
      default:
        throw new MarshalError(`unsupported marshal type 0x${type.toString(16)} at byte ${this.pos - 1}`);
    }
  }
}
