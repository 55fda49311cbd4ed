import { ErrorCode, HubflashError } from '../errors/index.ts';

/** The firmware hash is the SHA-256 of the whole manufacturer image: 64 hex digits, stored lower case. */
export function parseFirmwareHash(s: string): string {
  if (typeof s === 'string' && /^[0-9A-Fa-f]{64}$/.test(s)) return s.toLowerCase();
  const shown = typeof s === 'string' ? JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s) : typeof s;
  throw new HubflashError(
    ErrorCode.InvalidFirmwareHash,
    `Invalid firmware hash ${shown}: expected the SHA-256 of the image as 64 hex digits`,
    { value: s },
  );
}

export function isFirmwareHash(s: unknown): s is string {
  return typeof s === 'string' && /^[0-9A-Fa-f]{64}$/.test(s);
}
