import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cobsDecode, cobsEncode, cobsMaxEncodedLength } from '../../../protocol/framing/index.ts';

describe('COBS', () => {
  it('encodes the classic examples', () => {
    expect([...cobsEncode(Uint8Array.of(0x00))]).toEqual([0x01, 0x01]);
    expect([...cobsEncode(Uint8Array.of(0x00, 0x00))]).toEqual([0x01, 0x01, 0x01]);
    expect([...cobsEncode(Uint8Array.of(0x11, 0x22, 0x00, 0x33))]).toEqual([0x03, 0x11, 0x22, 0x02, 0x33]);
    expect([...cobsEncode(Uint8Array.of(0x11, 0x00, 0x00, 0x00))]).toEqual([0x02, 0x11, 0x01, 0x01, 0x01]);
    const run = Uint8Array.from({ length: 254 }, (_, i) => i + 1);
    expect([...cobsEncode(run)]).toEqual([0xff, ...run, 0x01]);
  });

  it('round-trips any bytes, never emitting a zero, within the stated worst case', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (data) => {
        const enc = cobsEncode(data);
        expect(enc.includes(0)).toBe(false);
        expect(enc.length).toBeLessThanOrEqual(cobsMaxEncodedLength(data.length));
        expect(Buffer.from(cobsDecode(enc)!).equals(Buffer.from(data))).toBe(true);
      }),
    );
  });

  it('rejects blocks that are not COBS instead of throwing', () => {
    expect(cobsDecode(Uint8Array.of(0x05, 0x11))).toBeUndefined(); // code runs past the end
    expect(cobsDecode(Uint8Array.of(0x03, 0x00, 0x11))).toBeUndefined(); // zero inside
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (junk) => void cobsDecode(junk)));
  });
});
