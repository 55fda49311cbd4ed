import type { ByteReader, ByteWriter } from '../binary/index.ts';
import type { MessageKind, MessageOfKind } from './messages.ts';
import type { MessageType } from './types.ts';

/** How one message kind goes to and from a frame payload. */
export interface MessageCodec<K extends MessageKind> {
  type: MessageType;
  kind: K;
  encode(w: ByteWriter, m: MessageOfKind<K>): void;
  /** Reads the fields; the registry checks the reader did not run short. */
  decode(r: ByteReader): MessageOfKind<K>;
}

export function defineCodec<K extends MessageKind>(codec: MessageCodec<K>): MessageCodec<K> {
  return codec;
}

export const HASH_BYTES = 32;
export const DEVICE_ID_BYTES = 8;
export const SIGNATURE_BYTES = 64;

export function hashFromBytes(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function hashToBytes(hex: string): Buffer {
  const b = Buffer.from(hex, 'hex');
  return b.length === HASH_BYTES ? b : Buffer.concat([b, Buffer.alloc(HASH_BYTES)]).subarray(0, HASH_BYTES);
}

/** Canonical EUI-64 text (`00-DB-12-…`) from 8 bytes as written, most significant first. */
export function deviceIdFromWire(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).toUpperCase().padStart(2, '0')).join('-');
}

/** 8 bytes from canonical EUI-64 text; the caller has already validated the ID. */
export function deviceIdToWire(id: string): Buffer {
  const b = Buffer.from(id.replace(/[^0-9a-fA-F]/g, ''), 'hex');
  return Buffer.concat([b, Buffer.alloc(DEVICE_ID_BYTES)]).subarray(0, DEVICE_ID_BYTES);
}
