import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { isValidSscc, makeSscc, ssccCheckDigit, validateSscc } from '../../../protocol/ids/index.ts';

function invalidMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isHubflashError(err, ErrorCode.InvalidSscc), String(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected InvalidSscc, nothing was thrown');
}

describe('SSCC', () => {
  it("computes the brief's check digit examples", () => {
    expect(ssccCheckDigit('12345678901234567')).toBe(5);
    expect(ssccCheckDigit('35412345000000001')).toBe(4);
    expect(validateSscc('123456789012345675')).toBe('123456789012345675');
    expect(validateSscc('354123450000000014')).toBe('354123450000000014');
    expect(isValidSscc('354123450000000014')).toBe(true);
  });

  it('weights 3,1,3,1… from the rightmost body digit', () => {
    // Only the last body digit set: weight 3, so 1 → sum 3 → check 7.
    expect(ssccCheckDigit('00000000000000001')).toBe(7);
    // Second from the right: weight 1, so 1 → sum 1 → check 9.
    expect(ssccCheckDigit('00000000000000010')).toBe(9);
    expect(ssccCheckDigit('00000000000000000')).toBe(0);
  });

  it('names the reason for each kind of invalid SSCC', () => {
    expect(invalidMessage(() => validateSscc('12345678901234567'))).toMatch(/17 characters.*exactly 18 digits/);
    expect(invalidMessage(() => validateSscc('1234567890123456755'))).toMatch(/19 characters/);
    expect(invalidMessage(() => validateSscc(''))).toMatch(/0 characters/);
    expect(invalidMessage(() => validateSscc('12345678901234567A'))).toMatch(/non-digit "A" at position 18/);
    expect(invalidMessage(() => validateSscc('1234567890123 4567'))).toMatch(/non-digit " " at position 14/);
    expect(invalidMessage(() => validateSscc('123456789012345674'))).toMatch(/check digit 4, expected 5/);
    expect(invalidMessage(() => validateSscc('354123450000000015'))).toMatch(/expected 4/);
    expect(invalidMessage(() => validateSscc(123456789012345675 as unknown as string))).toMatch(/must be text/);
    expect(invalidMessage(() => ssccCheckDigit('1234'))).toMatch(/17 digits/);
    expect(isValidSscc('123456789012345674')).toBe(false);
  });

  it('accepts exactly one check digit per body', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{17}$/), (body) => {
        const valid = [...'0123456789'].filter((d) => isValidSscc(body + d));
        expect(valid).toEqual([String(ssccCheckDigit(body))]);
      }),
    );
  });

  it('builds valid SSCCs from extension digit, company prefix and serial', () => {
    expect(makeSscc(3, '5412345', 1)).toBe('354123450000000014');
    expect(makeSscc('0', '1234567890', '123456')).toBe(`01234567890123456${ssccCheckDigit('01234567890123456')}`);
    expect(makeSscc(0, '1234567', '00042')).toBe(`01234567000000042${ssccCheckDigit('01234567000000042')}`);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9 }),
        fc.stringMatching(/^\d{7,10}$/),
        fc.integer({ min: 0, max: 999_999 }),
        (ext, prefix, serial) => {
          const sscc = makeSscc(ext, prefix, serial);
          expect(validateSscc(sscc)).toBe(sscc);
          expect(sscc.startsWith(`${ext}${prefix}`)).toBe(true);
          expect(Number(sscc.slice(1 + prefix.length, 17))).toBe(serial);
        },
      ),
    );
  });

  it('refuses parts that do not make an SSCC', () => {
    expect(invalidMessage(() => makeSscc(3, '5412345', 10_000_000_000))).toMatch(/at most 9 digits/);
    expect(invalidMessage(() => makeSscc(3, '1234567890', 1_000_000))).toMatch(/at most 6 digits/);
    expect(makeSscc(3, '1234567890', 999_999)).toMatch(/^31234567890999999\d$/);
    expect(invalidMessage(() => makeSscc(10, '5412345', 1))).toMatch(/extension digit/);
    expect(invalidMessage(() => makeSscc(3, '541234', 1))).toMatch(/7 to 10 digits/);
    expect(invalidMessage(() => makeSscc(3, '12345678901', 1))).toMatch(/7 to 10 digits/);
    expect(invalidMessage(() => makeSscc(3, '5412345', -1))).toMatch(/non-negative whole number/);
    expect(invalidMessage(() => makeSscc(3, '5412345', 1.5))).toMatch(/non-negative whole number/);
    expect(invalidMessage(() => makeSscc(3, '5412345', '12a'))).toMatch(/non-negative whole number/);
  });

  it('never throws anything but InvalidSscc on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 25 }), fc.stringMatching(/^\d{18}$/)), (s) => {
        try {
          expect(validateSscc(s)).toBe(s);
          expect(s.slice(17)).toBe(String(ssccCheckDigit(s.slice(0, 17))));
        } catch (err) {
          expect(isHubflashError(err, ErrorCode.InvalidSscc), String(err)).toBe(true);
        }
      }),
    );
  });
});
