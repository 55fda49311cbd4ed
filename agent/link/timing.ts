import { maxWireBytes } from '../../protocol/framing/index.ts';

/**
 * Timeouts from the protocol's timing rules (docs/protocol.md §6), scaled to the link's rate, the
 * adapter's latency, the bytes queued ahead of a request, and the operation's own time.
 */
export interface LinkTiming {
  bytesPerSecond: number;
  latencyMs: number;
}

/** The device answers short commands within this, after the request's last byte. */
export const DEVICE_REPLY_MS = 50;
export const MIN_TIMEOUT_MS = 250;
/** Worst-case 4 KiB sector erase of a typical SPI NOR part. */
export const WORST_ERASE_MS = 400;
/** The flash read rate the protocol guarantees: at least 1 MB/s, i.e. 1000 bytes per ms. */
export const FLASH_READ_BYTES_PER_MS = 1000;
/** After ACTIVATE's rebootMs, CONNECT is retried for this long. */
export const REBOOT_CONNECT_MS = 10_000;

export function transmitMs(timing: LinkTiming, bytes: number): number {
  return (bytes * 1000) / timing.bytesPerSecond;
}

export interface CommandCost {
  /** Decoded frame sizes; the wire adds stuffing and delimiters. */
  requestBytes: number;
  replyBytes: number;
  /** The device's own work before it replies (e.g. reading back the image). */
  operationMs?: number;
  /** Wire bytes already queued ahead of the request (WRITE data in flight). */
  queuedBytes?: number;
}

/** 4 × round trip (at least 250 ms) + the operation's time + the time to drain what is queued. */
export function commandTimeoutMs(timing: LinkTiming, cost: CommandCost): number {
  const roundTrip =
    2 * timing.latencyMs +
    DEVICE_REPLY_MS +
    transmitMs(timing, maxWireBytes(cost.requestBytes)) +
    transmitMs(timing, maxWireBytes(cost.replyBytes));
  return Math.ceil(Math.max(MIN_TIMEOUT_MS, 4 * roundTrip) + (cost.operationMs ?? 0) + transmitMs(timing, cost.queuedBytes ?? 0));
}

/** How long a transfer may go without a WRITE-ACK moving the offsets forward. */
export function writeProgressTimeoutMs(timing: LinkTiming, windowWireBytes: number): number {
  return Math.ceil(Math.max(MIN_TIMEOUT_MS, transmitMs(timing, windowWireBytes) + WORST_ERASE_MS + 2 * timing.latencyMs));
}

/** VERIFY reads the staged slot back: size ÷ read rate + 50 ms. */
export function verifyOperationMs(size: number): number {
  return size / FLASH_READ_BYTES_PER_MS + 50;
}

/** ACTIVATE runs the bootloader's checks: size ÷ read rate + 100 ms. */
export function activateOperationMs(size: number): number {
  return size / FLASH_READ_BYTES_PER_MS + 100;
}
