import type { EventEmitter } from 'node:events';
import type { HubflashError } from '../../protocol/errors/index.ts';

/** What the link needs to know about a transport to size its timeouts. */
export interface TransportInfo {
  kind: 'serial' | 'usb' | 'stream';
  /** Port path or USB device name, for logs and results. */
  name: string;
  /** Bytes per second each way (serial: baud ÷ 10). */
  bytesPerSecond: number;
  /** One-way latency of the adapter, ms. */
  latencyMs: number;
}

export interface TransportEvents {
  /** Bytes from the hub, in arrival order, split anyhow. */
  data: [chunk: Uint8Array];
  /** The transport closed; with an error when it was not asked to (cable pulled, device gone). */
  close: [error?: HubflashError];
}

/**
 * The one interface between the link and a wire, in the manner of serialport's bindings: open,
 * write, close, and bytes pushed to a listener. Implementations: serial, USB bulk, any Duplex.
 * A transport may be opened again after it closed (a reconnect), if its wire still exists.
 */
export interface Transport extends EventEmitter<TransportEvents> {
  readonly info: TransportInfo;
  readonly isOpen: boolean;
  /** Throws HubflashError PortOpenFailed (500). */
  open(): Promise<void>;
  /** Resolves when the bytes are handed to the OS or device; throws LinkClosed / LinkWriteFailed. */
  write(bytes: Uint8Array): Promise<void>;
  /** Idempotent; emits 'close' without an error. */
  close(): Promise<void>;
}

/** Serial adapters (FTDI, CP210x) add about 2 ms each way (docs/protocol.md §6). */
export const SERIAL_LATENCY_MS = 2;
export const DEFAULT_BAUD_RATE = 115_200;

export function serialBytesPerSecond(baudRate: number): number {
  return baudRate / 10; // 8N1: ten bit times per byte
}
