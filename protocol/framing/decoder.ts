import { cobsDecode, cobsMaxEncodedLength } from './cobs.ts';
import { FRAME_DELIMITER, type Frame, unpackFrame } from './frame.ts';

export type DropReason = 'crc' | 'cobs' | 'short' | 'oversize';

export interface DecoderStats {
  frames: number;
  dropped: Record<DropReason, number>;
  /** Wire bytes thrown away inside dropped frames. */
  bytesDropped: number;
}

export interface FrameDecoderOptions {
  /** Largest decoded frame accepted (header + payload + CRC). */
  maxFrame: number;
  onFrame: (frame: Frame) => void;
  /** Told about each dropped frame, e.g. so a device can NAK during a transfer. */
  onDrop?: (reason: DropReason, wireBytes: number) => void;
}

/**
 * Turns a byte stream into frames. It never throws on wire input: it resyncs on the 0x00
 * delimiter, drops what does not decode or check, and counts every drop. Works across any split
 * of the input into reads (a frame over many reads, many frames in one read).
 */
export class FrameDecoder {
  private pending: Buffer;
  private pendingLength = 0;
  private overflowing = false;
  private overflowBytes = 0;
  private maxEncoded: number;
  readonly stats: DecoderStats = { frames: 0, dropped: { crc: 0, cobs: 0, short: 0, oversize: 0 }, bytesDropped: 0 };

  constructor(private readonly options: FrameDecoderOptions) {
    this.maxEncoded = cobsMaxEncodedLength(options.maxFrame);
    this.pending = Buffer.allocUnsafe(this.maxEncoded);
  }

  /** Changes the largest frame accepted, e.g. after negotiation at connect. */
  setMaxFrame(maxFrame: number): void {
    this.options.maxFrame = maxFrame;
    this.maxEncoded = cobsMaxEncodedLength(maxFrame);
    if (this.pending.length < this.maxEncoded) {
      const next = Buffer.allocUnsafe(this.maxEncoded);
      this.pending.copy(next, 0, 0, this.pendingLength);
      this.pending = next;
    }
  }

  push(chunk: Uint8Array): void {
    let start = 0;
    while (start < chunk.length) {
      const at = indexOfDelimiter(chunk, start);
      const end = at === -1 ? chunk.length : at;
      this.append(chunk, start, end);
      if (at === -1) return;
      this.endOfFrame();
      start = at + 1;
    }
  }

  /** Forgets a partial frame, e.g. when the link is reopened. */
  reset(): void {
    this.pendingLength = 0;
    this.overflowing = false;
    this.overflowBytes = 0;
  }

  private append(chunk: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n === 0) return;
    if (this.overflowing || this.pendingLength + n > this.maxEncoded) {
      this.overflowBytes += this.pendingLength + n;
      this.pendingLength = 0;
      this.overflowing = true;
      return;
    }
    this.pending.set(chunk.subarray(start, end), this.pendingLength);
    this.pendingLength += n;
  }

  private endOfFrame(): void {
    if (this.overflowing) {
      this.drop('oversize', this.overflowBytes);
      this.overflowing = false;
      this.overflowBytes = 0;
      return;
    }
    const length = this.pendingLength;
    this.pendingLength = 0;
    if (length === 0) return; // adjacent delimiters: an empty frame is padding, not an error
    const raw = cobsDecode(this.pending.subarray(0, length));
    if (raw === undefined) return this.drop('cobs', length);
    // COBS adds as little as one byte per 254, so the encoded bound alone lets a few extra through.
    if (raw.length > this.options.maxFrame) return this.drop('oversize', length);
    const result = unpackFrame(raw);
    if (!result.ok) return this.drop(result.reason, length);
    this.stats.frames++;
    // The payload views `raw`, a fresh buffer per frame, so the consumer may keep it.
    this.options.onFrame(result.frame);
  }

  private drop(reason: DropReason, wireBytes: number): void {
    this.stats.dropped[reason]++;
    this.stats.bytesDropped += wireBytes;
    this.options.onDrop?.(reason, wireBytes);
  }
}

function indexOfDelimiter(chunk: Uint8Array, from: number): number {
  return chunk.indexOf(FRAME_DELIMITER, from);
}

export function totalDropped(stats: DecoderStats): number {
  const d = stats.dropped;
  return d.crc + d.cobs + d.short + d.oversize;
}
