/** Little-endian writer that grows as needed; `finish()` returns exactly the bytes written. */
export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = 64) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf.writeUInt8(v & 0xff, this.pos);
    this.pos += 1;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.buf.writeUInt16LE(v & 0xffff, this.pos);
    this.pos += 2;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Writes exactly n bytes: b, zero-padded or cut to length (fixed-width fields such as hashes). */
  fixed(b: Uint8Array, n: number): this {
    this.room(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.buf.set(b.subarray(0, n), this.pos);
    this.pos += n;
    return this;
  }

  /** A u8-length-prefixed UTF-8 string, cut to 255 bytes. */
  shortString(s: string): this {
    const b = Buffer.from(s, 'utf8').subarray(0, 255);
    return this.u8(b.length).bytes(b);
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
