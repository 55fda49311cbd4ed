import { ErrorCode, HubflashError } from '../errors/index.ts';

/**
 * Device IDs are EUI-64s. Canonical form: 8 upper-case hex octets joined by hyphens,
 * `00-DB-12-34-56-78-90-A0`. The device type (CHF or GPF) is never inferred from the bits.
 */
const BARE = /^[0-9A-Fa-f]{16}$/;
const HYPHENS = /^[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){7}$/;
const COLONS = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){7}$/;
const CANONICAL = /^[0-9A-F]{2}(?:-[0-9A-F]{2}){7}$/;

const EXPECTED = 'expected 8 hex octets such as 00-DB-12-34-56-78-90-A0 (hyphens, colons or no separators)';

/** Returns the canonical form, or throws InvalidDeviceId. Separators may not be mixed. */
export function parseDeviceId(s: string): string {
  if (typeof s !== 'string') {
    throw new HubflashError(ErrorCode.InvalidDeviceId, `Device ID must be text, got ${typeof s}; ${EXPECTED}`);
  }
  const shown = JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
  if (!BARE.test(s) && !HYPHENS.test(s) && !COLONS.test(s)) {
    throw new HubflashError(ErrorCode.InvalidDeviceId, `Invalid device ID ${shown}: ${EXPECTED}`, { value: s });
  }
  const hex = s.replace(/[-:]/g, '').toUpperCase();
  return hex.match(/../g)!.join('-');
}

/** True when parseDeviceId would accept `s` (in any accepted spelling). */
export function isDeviceId(s: unknown): s is string {
  return typeof s === 'string' && (BARE.test(s) || HYPHENS.test(s) || COLONS.test(s));
}

/** True only for the canonical spelling (what we store and print). */
export function isCanonicalDeviceId(s: unknown): s is string {
  return typeof s === 'string' && CANONICAL.test(s);
}

/** The 8 octets in the order written (big-endian). */
export function deviceIdToBytes(id: string): Uint8Array {
  return Uint8Array.from(Buffer.from(parseDeviceId(id).replace(/-/g, ''), 'hex'));
}

export function deviceIdFromBytes(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 8) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
    throw new HubflashError(ErrorCode.InvalidDeviceId, `A device ID is 8 bytes, got ${got}`);
  }
  return parseDeviceId(Buffer.from(bytes).toString('hex'));
}
