import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import {
  formatFirmwareVersion,
  formatFirmwareVersionDotted,
  parseFirmwareHash,
  parseFirmwareVersion,
} from '../../../protocol/ids/index.ts';

function expectCode(fn: () => unknown, code: ErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isHubflashError(thrown, code), String(thrown)).toBe(true);
}

describe('firmware versions', () => {
  it.each([
    ['00000000', 0],
    ['ACDCACDC', 0xacdcacdc],
    ['acdcacdc', 0xacdcacdc],
    ['0x01260300', 0x01260300],
    ['0X01260300', 0x01260300],
    ['1.38.3', 0x01260300],
    ['2.0.1', 0x02000100],
    ['1.38.3.7', 0x01260307],
    ['255.255.255.255', 0xffffffff],
    ['12345678', 0x12345678],
  ])('parses %s', (text, value) => {
    expect(parseFirmwareVersion(text)).toBe(value);
  });

  it.each(['', '1.38', '1', '1.2.3.4.5', '256.0.0', '1.38.3.256', '0123456', '012345678', '0x', 'v1.2.3', '1..2', ' 1.2.3', '1.2.3 ', '-1.2.3', 'GGGGGGGG'])(
    'rejects %j',
    (text) => expectCode(() => parseFirmwareVersion(text), ErrorCode.InvalidFirmwareVersion),
  );

  it('accepts and checks numbers', () => {
    expect(parseFirmwareVersion(0x01260300)).toBe(0x01260300);
    for (const bad of [-1, 0x1_0000_0000, 1.5, Number.NaN]) {
      expectCode(() => parseFirmwareVersion(bad), ErrorCode.InvalidFirmwareVersion);
      expectCode(() => formatFirmwareVersion(bad), ErrorCode.InvalidFirmwareVersion);
      expectCode(() => formatFirmwareVersionDotted(bad), ErrorCode.InvalidFirmwareVersion);
    }
  });

  it('formats as 8 upper-case hex digits and as dotted names', () => {
    expect(formatFirmwareVersion(0)).toBe('00000000');
    expect(formatFirmwareVersion(0xacdcacdc)).toBe('ACDCACDC');
    expect(formatFirmwareVersionDotted(0x01260300)).toBe('1.38.3');
    expect(formatFirmwareVersionDotted(0x01260307)).toBe('1.38.3.7');
    expect(formatFirmwareVersionDotted(0x02000000)).toBe('2.0.0');
    expect(formatFirmwareVersionDotted(0)).toBe('0.0.0');
  });

  it('round-trips both forms for every u32', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), (v) => {
        expect(parseFirmwareVersion(formatFirmwareVersion(v))).toBe(v);
        expect(parseFirmwareVersion(formatFirmwareVersionDotted(v))).toBe(v);
      }),
    );
  });

  it('never throws anything but InvalidFirmwareVersion on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        try {
          const v = parseFirmwareVersion(s);
          expect(v >= 0 && v <= 0xffffffff).toBe(true);
        } catch (err) {
          expect(isHubflashError(err, ErrorCode.InvalidFirmwareVersion)).toBe(true);
        }
      }),
    );
  });
});

describe('firmware hashes', () => {
  const hash = 'c47fb1a43bf0765f74c42c857a22fc52e63512f977c661be14d4cb2f582901f0';

  it('accepts 64 hex digits and stores them lower case', () => {
    expect(parseFirmwareHash(hash)).toBe(hash);
    expect(parseFirmwareHash(hash.toUpperCase())).toBe(hash);
  });

  it.each([['empty', ''], ['63 digits', hash.slice(1)], ['65 digits', `${hash}0`], ['non-hex', `${hash.slice(1)}g`], ['prefixed', `0x${hash}`]])(
    'rejects %s',
    (_why, text) => expectCode(() => parseFirmwareHash(text), ErrorCode.InvalidFirmwareHash),
  );

  it('rejects non-text', () => expectCode(() => parseFirmwareHash(7 as unknown as string), ErrorCode.InvalidFirmwareHash));
});
