import { ErrorCode, HubflashError } from '../errors/index.ts';

/**
 * A firmware version is 4 bytes (u32). DUIS prints it as 8 hex digits (`00000000`); operators
 * also use dotted names, one decimal per byte, most significant first (`1.38.3` = 0x01260300).
 */
const HEX = /^(?:0[xX])?([0-9A-Fa-f]{8})$/;
const DOTTED = /^\d{1,3}(?:\.\d{1,3}){2,3}$/;
const EXPECTED = 'expected 8 hex digits (e.g. 00000000 or 0x01260300) or a dotted name a.b.c or a.b.c.d (each 0-255)';

function invalid(message: string, value: unknown): HubflashError {
  return new HubflashError(ErrorCode.InvalidFirmwareVersion, message, { value });
}

export function isFirmwareVersionNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff;
}

/** Accepts 8 hex digits (optional 0x), a dotted name, or an already numeric u32. */
export function parseFirmwareVersion(s: string | number): number {
  if (typeof s === 'number') {
    if (isFirmwareVersionNumber(s)) return s;
    throw invalid(`Firmware version ${s} is not a 4-byte unsigned number`, s);
  }
  if (typeof s !== 'string') throw invalid(`Firmware version must be text, got ${typeof s}`, s);
  const shown = JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
  const hex = HEX.exec(s);
  if (hex) return Number.parseInt(hex[1]!, 16);
  if (DOTTED.test(s)) {
    const parts = s.split('.').map(Number);
    const tooBig = parts.find((p) => p > 255);
    if (tooBig !== undefined) throw invalid(`Invalid firmware version ${shown}: part ${tooBig} is over 255`, s);
    while (parts.length < 4) parts.push(0);
    return parts.reduce((acc, p) => acc * 256 + p, 0);
  }
  throw invalid(`Invalid firmware version ${shown}: ${EXPECTED}`, s);
}

function checked(v: number): number {
  if (!isFirmwareVersionNumber(v)) throw invalid(`Firmware version ${String(v)} is not a 4-byte unsigned number`, v);
  return v;
}

/** DUIS form: 8 upper-case hex digits. */
export function formatFirmwareVersion(v: number): string {
  return checked(v).toString(16).toUpperCase().padStart(8, '0');
}

/** Dotted form `a.b.c.d`, written `a.b.c` when the last byte is 0. */
export function formatFirmwareVersionDotted(v: number): string {
  const n = checked(v);
  const parts = [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  if (parts[3] === 0) parts.pop();
  return parts.join('.');
}
