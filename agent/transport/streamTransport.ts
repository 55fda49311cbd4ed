import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { linkClosed, openFailed, writeFailed } from './errors.ts';
import type { Transport, TransportEvents, TransportInfo } from './transport.ts';

export interface StreamTransportOptions {
  name?: string;
  /** For timeouts only: the rate the other end paces at. */
  bytesPerSecond?: number;
  latencyMs?: number;
}

/**
 * A transport over any Duplex stream, e.g. the simulator's in-memory link. Once the stream has
 * ended it cannot be opened again: that is a cable pull.
 */
export class StreamTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly info: TransportInfo;
  private open_ = false;
  private ended = false;
  private closing = false;

  constructor(
    private readonly stream: Duplex,
    options: StreamTransportOptions = {},
  ) {
    super();
    this.info = {
      kind: 'stream',
      name: options.name ?? 'stream',
      bytesPerSecond: options.bytesPerSecond ?? 1_000_000,
      latencyMs: options.latencyMs ?? 0,
    };
    stream.on('data', (chunk: Buffer) => {
      if (this.open_) this.emit('data', chunk);
    });
    const gone = (): void => {
      this.ended = true;
      this.finish(this.closing ? undefined : linkClosed(this.info.name, 'the stream ended'));
    };
    stream.once('close', gone);
    stream.once('end', gone);
    stream.on('error', () => gone());
  }

  get isOpen(): boolean {
    return this.open_;
  }

  async open(): Promise<void> {
    if (this.ended || this.stream.destroyed) throw openFailed(this.info.name, new Error('the stream has ended'));
    this.closing = false;
    this.open_ = true;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.open_) return Promise.reject(linkClosed(this.info.name));
    return new Promise((resolve, reject) => {
      this.stream.write(bytes, (err) => (err ? reject(writeFailed(this.info.name, err)) : resolve()));
    });
  }

  /** Stops listening; the stream itself stays up so the transport can be opened again. */
  async close(): Promise<void> {
    this.closing = true;
    this.finish(undefined);
  }

  /** Ends the stream for good (the other side sees the cable pulled). */
  destroy(): void {
    this.closing = true;
    this.stream.destroy();
  }

  private finish(error: TransportEvents['close'][0]): void {
    if (!this.open_) return;
    this.open_ = false;
    this.emit('close', error);
  }
}
