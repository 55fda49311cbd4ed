import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import {
  deviceIdFromBytes,
  deviceIdToBytes,
  isCanonicalDeviceId,
  isDeviceId,
  parseDeviceId,
} from '../../../protocol/ids/index.ts';

function expectInvalid(fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isHubflashError(thrown, ErrorCode.InvalidDeviceId), String(thrown)).toBe(true);
}

describe('device IDs (EUI-64)', () => {
  it.each([
    '00-DB-12-34-56-78-90-A0',
    '00-db-12-34-56-78-90-a0',
    '00DB1234567890A0',
    '00db1234567890a0',
    '00:DB:12:34:56:78:90:A0',
    '00:db:12:34:56:78:90:a0',
  ])('canonicalises %s', (input) => {
    expect(parseDeviceId(input)).toBe('00-DB-12-34-56-78-90-A0');
    expect(isDeviceId(input)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['too short', '00-DB-12-34-56-78-90'],
    ['too long', '00-DB-12-34-56-78-90-A0-11'],
    ['15 hex digits', '00DB1234567890A'],
    ['non-hex', '00-DB-12-34-56-78-90-G0'],
    ['mixed separators', '00-DB:12-34-56-78-90-A0'],
    ['spaces', '00 DB 12 34 56 78 90 A0'],
    ['dots', '00.DB.12.34.56.78.90.A0'],
    ['single-digit octets', '0-DB-12-34-56-78-90-A0'],
    ['surrounding whitespace', ' 00DB1234567890A0'],
    ['trailing separator', '00-DB-12-34-56-78-90-A0-'],
    ['0x prefix', '0x00DB1234567890A0'],
  ])('rejects %s', (_why, input) => {
    expectInvalid(() => parseDeviceId(input));
    expect(isDeviceId(input)).toBe(false);
  });

  it('rejects non-text with the same typed error', () => {
    expectInvalid(() => parseDeviceId(42 as unknown as string));
    expectInvalid(() => parseDeviceId(undefined as unknown as string));
    expect(isDeviceId(null)).toBe(false);
  });

  it('says what it expected', () => {
    expect(() => parseDeviceId('nope')).toThrow(/Invalid device ID "nope".*8 hex octets/);
  });

  it('tells canonical from merely acceptable spellings', () => {
    expect(isCanonicalDeviceId('00-DB-12-34-56-78-90-A0')).toBe(true);
    expect(isCanonicalDeviceId('00-db-12-34-56-78-90-a0')).toBe(false);
    expect(isCanonicalDeviceId('00DB1234567890A0')).toBe(false);
  });

  it('converts to and from 8 big-endian bytes', () => {
    const bytes = deviceIdToBytes('00db1234567890a0');
    expect(Array.from(bytes)).toEqual([0x00, 0xdb, 0x12, 0x34, 0x56, 0x78, 0x90, 0xa0]);
    expect(deviceIdFromBytes(bytes)).toBe('00-DB-12-34-56-78-90-A0');
    expectInvalid(() => deviceIdFromBytes(new Uint8Array(7)));
    expectInvalid(() => deviceIdFromBytes(new Uint8Array(9)));
    expectInvalid(() => deviceIdToBytes('bad'));
  });

  it('round-trips every 8-byte value and is idempotent', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (bytes) => {
        const id = deviceIdFromBytes(bytes);
        expect(isCanonicalDeviceId(id)).toBe(true);
        expect(parseDeviceId(id)).toBe(id);
        expect(parseDeviceId(id.replace(/-/g, ':').toLowerCase())).toBe(id);
        expect(Array.from(deviceIdToBytes(id))).toEqual(Array.from(bytes));
      }),
    );
  });

  it('never throws anything but InvalidDeviceId on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        try {
          expect(isCanonicalDeviceId(parseDeviceId(s))).toBe(true);
        } catch (err) {
          expect(isHubflashError(err, ErrorCode.InvalidDeviceId)).toBe(true);
        }
      }),
    );
  });
});
