import { Transform, type TransformCallback } from 'node:stream';
import { FrameDecoder, type DecoderStats, type DropReason } from './decoder.ts';
import type { Frame } from './frame.ts';

/**
 * The frame decoder as a Transform stream (bytes in, Frame objects out), in the manner of
 * serialport's parsers: pipe a port into it. Emits 'drop' (reason, wireBytes) for each bad frame.
 */
export class FrameParser extends Transform {
  private readonly decoder: FrameDecoder;

  constructor(options: { maxFrame: number }) {
    super({ readableObjectMode: true });
    this.decoder = new FrameDecoder({
      maxFrame: options.maxFrame,
      onFrame: (frame: Frame) => this.push(frame),
      onDrop: (reason: DropReason, wireBytes: number) => this.emit('drop', reason, wireBytes),
    });
  }

  get stats(): DecoderStats {
    return this.decoder.stats;
  }

  setMaxFrame(maxFrame: number): void {
    this.decoder.setMaxFrame(maxFrame);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.decoder.push(chunk);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.decoder.reset();
    callback();
  }
}
