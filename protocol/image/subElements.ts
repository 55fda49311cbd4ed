import { ErrorCode, HubflashError } from '../errors/index.ts';
import { KEY_ID_LENGTH, SUB_ELEMENT_HEADER_LENGTH, TAG_UPGRADE_IMAGE } from './constants.ts';
import type { SubElement } from './types.ts';

/** Zigbee OTA sub-elements: tag u16, length u32, value; little-endian, back to back. */

export function encodeSubElements(elements: readonly SubElement[]): Uint8Array {
  const total = elements.reduce((n, e) => n + SUB_ELEMENT_HEADER_LENGTH + e.value.length, 0);
  const out = Buffer.alloc(total);
  let at = 0;
  for (const e of elements) {
    at = out.writeUInt16LE(e.tag, at);
    at = out.writeUInt32LE(e.value.length, at);
    out.set(e.value, at);
    at += e.value.length;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/**
 * The sub-elements, when `bytes` is a well-formed sequence that exactly fills it and holds exactly
 * one upgrade image (tag 0x0000); otherwise undefined, and the caller treats the bytes as opaque.
 */
export function decodeSubElements(bytes: Uint8Array): SubElement[] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const elements: SubElement[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < SUB_ELEMENT_HEADER_LENGTH) return undefined;
    const tag = view.getUint16(at, true);
    const length = view.getUint32(at + 2, true);
    at += SUB_ELEMENT_HEADER_LENGTH;
    if (length > bytes.length - at) return undefined;
    elements.push({ tag, value: bytes.subarray(at, at + length) });
    at += length;
  }
  const images = elements.filter((e) => e.tag === TAG_UPGRADE_IMAGE).length;
  return images === 1 ? elements : undefined;
}

/** The one element with `tag`, or undefined; a repeated tag is ambiguous and refused. */
export function findOnly(elements: readonly SubElement[], tag: number, what: string): SubElement | undefined {
  const found = elements.filter((e) => e.tag === tag);
  if (found.length > 1) throw badField(`Image has ${found.length} ${what} sub-elements; expected at most one`, { tag });
  return found[0];
}

/** Upgradeable-from list: u16 count, then count u32 file versions. */
export function encodeUpgradeableFrom(versions: readonly number[]): Uint8Array {
  const out = Buffer.alloc(2 + 4 * versions.length);
  let at = out.writeUInt16LE(versions.length, 0);
  for (const v of versions) at = out.writeUInt32LE(v, at);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

export function decodeUpgradeableFrom(value: Uint8Array): number[] {
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const count = value.length >= 2 ? view.getUint16(0, true) : -1;
  if (value.length !== 2 + 4 * count) {
    throw badField(
      `Upgradeable-from sub-element is ${value.length} bytes, which does not hold a count and that many 4-byte versions`,
      { length: value.length, count },
    );
  }
  return Array.from({ length: count }, (_, i) => view.getUint32(2 + 4 * i, true));
}

export function decodeKeyId(value: Uint8Array): string {
  if (value.length !== KEY_ID_LENGTH) {
    throw badField(`Signer key ID sub-element is ${value.length} bytes; a key ID is ${KEY_ID_LENGTH}`, { length: value.length });
  }
  return Buffer.from(value).toString('hex');
}

function badField(message: string, context: Record<string, unknown>): HubflashError {
  return new HubflashError(ErrorCode.ImageBadField, message, context);
}
