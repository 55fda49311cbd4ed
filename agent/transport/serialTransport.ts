import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { linkClosed, openFailed, writeFailed } from './errors.ts';
import {
  DEFAULT_BAUD_RATE,
  SERIAL_LATENCY_MS,
  serialBytesPerSecond,
  type Transport,
  type TransportEvents,
  type TransportInfo,
} from './transport.ts';

export interface SerialTransportOptions {
  path: string;
  baudRate?: number;
  latencyMs?: number;
}

/**
 * A serial port through `serialport`. Each open makes a fresh port object, so a transport whose
 * port was pulled can be opened again if the same path comes back.
 */
export class SerialTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly info: TransportInfo;
  private readonly baudRate: number;
  private port: SerialPort | undefined;
  /** The port close() was asked to close: its 'close' is the only one that is not a disappearance. */
  private closing: SerialPort | undefined;

  constructor(options: SerialTransportOptions) {
    super();
    this.baudRate = options.baudRate ?? DEFAULT_BAUD_RATE;
    this.info = {
      kind: 'serial',
      name: options.path,
      bytesPerSecond: serialBytesPerSecond(this.baudRate),
      latencyMs: options.latencyMs ?? SERIAL_LATENCY_MS,
    };
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    const port = new SerialPort({ path: this.info.name, baudRate: this.baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(openFailed(this.info.name, err)) : resolve())));
    this.port = port;
    port.on('data', (chunk: Buffer) => this.emit('data', chunk));
    // serialport reports a pulled cable as an 'error' and then 'close' with `disconnected`; when a
    // write is what finds it, the stream's own 'close' (with no argument) comes first. So any close
    // that close() did not ask for is the port disappearing.
    port.on('error', () => {});
    port.once('close', (err?: Error & { disconnected?: boolean }) => {
      if (this.port === port) this.port = undefined;
      const asked = this.closing === port && !err;
      if (this.closing === port) this.closing = undefined;
      this.emit('close', asked ? undefined : linkClosed(this.info.name, 'the port disappeared'));
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.reject(linkClosed(this.info.name));
    return new Promise((resolve, reject) => {
      port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (err) =>
        err ? reject(port.isOpen ? writeFailed(this.info.name, err) : linkClosed(this.info.name)) : resolve(),
      );
    });
  }

  async close(): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return;
    this.closing = port;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
