import zlib from 'node:zlib';

/** CRC-32 (IEEE 802.3, the zlib/PNG polynomial) of a frame's header and payload. */
export function frameCrc(bytes: Uint8Array): number {
  return zlib.crc32(bytes) >>> 0;
}
