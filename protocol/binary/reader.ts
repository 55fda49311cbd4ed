/**
 * Little-endian reader over a byte array that never throws: a read past the end marks the
 * reader as short and yields zeros, so a message decoder checks `ok` once at the end instead of
 * guarding every field (wire input must never crash a parser).
 */
export class ByteReader {
  private pos = 0;
  private short = false;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** True when every read so far fitted inside the input. */
  get ok(): boolean {
    return !this.short;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private take(n: number): number | undefined {
    if (this.pos + n > this.bytes.length) {
      this.short = true;
      this.pos = this.bytes.length;
      return undefined;
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    const at = this.take(1);
    return at === undefined ? 0 : this.view.getUint8(at);
  }

  u16(): number {
    const at = this.take(2);
    return at === undefined ? 0 : this.view.getUint16(at, true);
  }

  u32(): number {
    const at = this.take(4);
    return at === undefined ? 0 : this.view.getUint32(at, true);
  }

  /** A view (not a copy) of the next n bytes. */
  bytesOf(n: number): Uint8Array {
    const at = this.take(n);
    return at === undefined ? new Uint8Array(n) : this.bytes.subarray(at, at + n);
  }

  /** Everything left, as a view. */
  rest(): Uint8Array {
    const at = this.pos;
    this.pos = this.bytes.length;
    return this.bytes.subarray(at);
  }

  /** A string of at most 255 bytes, prefixed by its u8 length. */
  shortString(): string {
    const n = this.u8();
    return Buffer.from(this.bytesOf(n)).toString('utf8');
  }

  /** True when the input was consumed exactly, with nothing short and nothing left over. */
  get exhausted(): boolean {
    return this.ok && this.pos === this.bytes.length;
  }
}
