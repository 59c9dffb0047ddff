import { ModelFormatError } from '../diagnostics';
import { ByteSource } from './byte-source';

/**
 * A protobuf wire-format cursor over a ByteSource, reading through a small window.
 *
 * Hand-written because protobufjs (and so the decoders generated in proto/) decodes only from one
 * in-memory buffer: it cannot decode a file over 2 GiB, and even below that it would pull every weight
 * byte into memory. This cursor walks the outer messages (ModelProto, GraphProto, TensorProto) and
 * jumps over `raw_data` payloads by offset, so that analysis time and memory depend on the graph, not
 * on the weights.
 */
export const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  StartGroup = 3,
  EndGroup = 4,
  Fixed32 = 5,
}

const WINDOW = 64 * 1024;

export class WireCursor {
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;

  constructor(
    private readonly source: ByteSource,
    public pos: number,
    /** Exclusive end of the message being read. */
    public end: number,
    /**
     * How far past the requested bytes a read may reach. Tensor headers use a small read-ahead so
     * that reading them touches almost none of the weight payload that follows.
     */
    private readonly readAhead = WINDOW,
  ) {
    if (end > source.size) throw new ModelFormatError(`file is truncated: a message ends at byte ${end} but the file has ${source.size} bytes`, 'onnx.truncated', pos);
  }

  /** A cursor over a nested message [pos, pos+length), sharing nothing but the source. */
  sub(length: number, readAhead = WINDOW): WireCursor {
    const end = this.pos + length;
    if (end > this.end) {
      throw new ModelFormatError(`field length ${length} at byte ${this.pos} runs past the end of its message (byte ${this.end})`, 'onnx.truncated', this.pos);
    }
    const child = new WireCursor(this.source, this.pos, end, readAhead);
    // Share the bytes already read: a nested message usually starts inside the parent's window.
    child.window = this.window;
    child.windowStart = this.windowStart;
    return child;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  private ensure(count: number): void {
    const need = Math.min(count, this.end - this.pos);
    if (this.pos >= this.windowStart && this.pos + need <= this.windowStart + this.window.length) return;
    this.windowStart = this.pos;
    this.window = this.source.read(this.pos, Math.max(need, Math.min(this.readAhead, this.end - this.pos)));
  }

  private byte(): number {
    if (this.pos >= this.end) throw new ModelFormatError(`unexpected end of message at byte ${this.pos}`, 'onnx.truncated', this.pos);
    this.ensure(1);
    const b = this.window[this.pos - this.windowStart];
    if (b === undefined) throw new ModelFormatError(`unexpected end of file at byte ${this.pos}`, 'onnx.truncated', this.pos);
    this.pos++;
    return b;
  }

  /** Reads a varint as a JS number; 64-bit values beyond 2^53 lose precision, negatives are sign-corrected. */
  varint(): number {
    this.ensure(10);
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 7; i++) {
      const b = this.byte();
      result += (b & 0x7f) * multiplier;
      if ((b & 0x80) === 0) return result;
      multiplier *= 128;
    }
    // Past 49 bits a double cannot hold the sum exactly (int64 -1 is a 10-byte varint), so finish in
    // BigInt and reinterpret as a signed 64-bit integer.
    let big = BigInt(result);
    let shift = 49n;
    for (let i = 7; i < 10; i++) {
      const b = this.byte();
      big += BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return Number(BigInt.asIntN(64, big));
      shift += 7n;
    }
    throw new ModelFormatError(`malformed varint at byte ${this.pos}`, 'onnx.malformed', this.pos);
  }

  tag(): { field: number; wireType: WireType } {
    const at = this.pos;
    const tag = this.varint();
    const field = Math.floor(tag / 8);
    const wireType = (tag & 7) as WireType;
    if (field === 0 || wireType > 5) throw new ModelFormatError(`invalid protobuf tag ${tag} at byte ${at}`, 'onnx.malformed', at);
    return { field, wireType };
  }

  /** Reads a length prefix and checks it fits inside the current message. */
  length(): number {
    const at = this.pos;
    const len = this.varint();
    if (len < 0 || this.pos + len > this.end) {
      throw new ModelFormatError(`length ${len} at byte ${at} runs past the end of its message (byte ${this.end})`, 'onnx.truncated', at);
    }
    return len;
  }

  bytes(length: number): Uint8Array {
    if (this.pos + length > this.end) throw new ModelFormatError(`unexpected end of message at byte ${this.pos}`, 'onnx.truncated', this.pos);
    let out: Uint8Array;
    if (length <= WINDOW) {
      this.ensure(length);
      const start = this.pos - this.windowStart;
      out = this.window.subarray(start, start + length);
    } else {
      out = this.source.read(this.pos, length);
    }
    if (out.length < length) throw new ModelFormatError(`unexpected end of file at byte ${this.pos}`, 'onnx.truncated', this.pos);
    this.pos += length;
    return out;
  }

  string(length: number): string {
    return utf8.decode(this.bytes(length));
  }

  fixed32(): Uint8Array {
    return this.bytes(4);
  }

  skipBytes(length: number): void {
    if (this.pos + length > this.end) throw new ModelFormatError(`unexpected end of message at byte ${this.pos}`, 'onnx.truncated', this.pos);
    this.pos += length;
  }

  skip(wireType: WireType, depth = 0): void {
    switch (wireType) {
      case WireType.Varint:
        this.varint();
        return;
      case WireType.Fixed64:
        this.skipBytes(8);
        return;
      case WireType.Fixed32:
        this.skipBytes(4);
        return;
      case WireType.LengthDelimited:
        this.skipBytes(this.length());
        return;
      case WireType.StartGroup: {
        if (depth > 64) throw new ModelFormatError(`protobuf groups nested too deep at byte ${this.pos}`, 'onnx.malformed', this.pos);
        for (;;) {
          const { wireType: inner } = this.tag();
          if (inner === WireType.EndGroup) return;
          this.skip(inner, depth + 1);
        }
      }
      default:
        throw new ModelFormatError(`unexpected wire type ${wireType} at byte ${this.pos}`, 'onnx.malformed', this.pos);
    }
  }

  /** Reads a repeated scalar varint field, packed or not, appending to `out`. */
  varints(wireType: WireType, out: number[]): void {
    if (wireType === WireType.LengthDelimited) {
      const len = this.length();
      const end = this.pos + len;
      while (this.pos < end) out.push(this.varint());
    } else if (wireType === WireType.Varint) {
      out.push(this.varint());
    } else {
      this.skip(wireType);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * A DataView over exactly these bytes. Never `new DataView(bytes.slice().buffer)`: a Node Buffer's
 * `slice` is a view into a shared pool, so its `.buffer` starts somewhere else entirely.
 */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
