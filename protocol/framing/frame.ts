import { cobsEncodeInto, cobsMaxEncodedLength } from './cobs.ts';
import { frameCrc } from './crc.ts';

/**
 * One frame, before COBS stuffing:
 *   type u8 | seq u16 LE | payload … | CRC-32 u32 LE over type, seq and payload
 * On the wire: 0x00 | COBS(frame) | 0x00. The leading delimiter isolates the frame from any line
 * noise before it; back-to-back frames share delimiters as empty frames, which are ignored.
 */
export interface Frame {
  type: number;
  seq: number;
  payload: Uint8Array;
}

export const FRAME_HEADER_BYTES = 3;
export const FRAME_CRC_BYTES = 4;
/** Bytes a frame adds around its payload, before stuffing. */
export const FRAME_OVERHEAD_BYTES = FRAME_HEADER_BYTES + FRAME_CRC_BYTES;
/** The smallest decoded frame: header and CRC, empty payload. */
export const MIN_FRAME_BYTES = FRAME_OVERHEAD_BYTES;
export const FRAME_DELIMITER = 0x00;

/** Wire bytes needed, at most, for a frame of this decoded length (stuffing and both delimiters). */
export function maxWireBytes(decodedLength: number): number {
  return cobsMaxEncodedLength(decodedLength) + 2;
}

/** Builds the decoded frame bytes (header, payload, CRC). */
export function packFrame(frame: Frame): Buffer {
  const raw = Buffer.allocUnsafe(FRAME_OVERHEAD_BYTES + frame.payload.length);
  raw.writeUInt8(frame.type & 0xff, 0);
  raw.writeUInt16LE(frame.seq & 0xffff, 1);
  raw.set(frame.payload, FRAME_HEADER_BYTES);
  const body = raw.subarray(0, raw.length - FRAME_CRC_BYTES);
  raw.writeUInt32LE(frameCrc(body), raw.length - FRAME_CRC_BYTES);
  return raw;
}

/** Encodes a frame for the wire: delimiter, COBS-stuffed frame, delimiter. */
export function encodeFrame(frame: Frame): Buffer {
  const raw = packFrame(frame);
  const wire = Buffer.allocUnsafe(maxWireBytes(raw.length));
  wire[0] = FRAME_DELIMITER;
  const n = cobsEncodeInto(raw, wire, 1);
  wire[n + 1] = FRAME_DELIMITER;
  return wire.subarray(0, n + 2);
}

export type UnpackResult =
  | { ok: true; frame: Frame }
  | { ok: false; reason: 'short' | 'crc' };

/** Checks and splits decoded frame bytes. Never throws: bad input is reported, not raised. */
export function unpackFrame(raw: Uint8Array): UnpackResult {
  if (raw.length < MIN_FRAME_BYTES) return { ok: false, reason: 'short' };
  const end = raw.length - FRAME_CRC_BYTES;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (view.getUint32(end, true) !== frameCrc(raw.subarray(0, end))) return { ok: false, reason: 'crc' };
  return {
    ok: true,
    frame: { type: raw[0]!, seq: view.getUint16(1, true), payload: raw.subarray(FRAME_HEADER_BYTES, end) },
  };
}
