import { ErrorCode, HubflashError } from '../errors/index.ts';

/**
 * Reads a numeric header field typed by a person (`0x121D` or `4637`): hex needs its 0x so that
 * `1000` is never ambiguous. Throws ImageBadField naming the field.
 */
export function parseImageField(text: string, max: number, what: string): number {
  const s = typeof text === 'string' ? text.trim() : '';
  const value = /^0[xX][0-9A-Fa-f]{1,8}$/.test(s) ? Number.parseInt(s.slice(2), 16) : /^\d{1,10}$/.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(value) || value > max) {
    throw new HubflashError(
      ErrorCode.ImageBadField,
      `Invalid ${what} ${JSON.stringify(text)}: expected 0x-prefixed hex or decimal from 0 to 0x${max.toString(16).toUpperCase()}`,
      { value: text },
    );
  }
  return value;
}
