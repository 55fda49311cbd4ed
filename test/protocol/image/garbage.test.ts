import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isHubflashError } from '../../../protocol/errors/index.ts';
import { describeImage, parseImage, verifyImageSignature } from '../../../protocol/image/index.ts';
import { builtImage, keys, readSample } from './helpers.ts';

/** Parses and, when that succeeds, describes and verifies: nothing may throw but a HubflashError 2xx. */
function survives(bytes: Uint8Array): void {
  try {
    const image = parseImage(bytes);
    expect(JSON.parse(JSON.stringify(describeImage(image)))).toEqual(describeImage(image));
    verifyImageSignature(image, keys.publicKeyPem);
  } catch (err) {
    expect(isHubflashError(err), String(err)).toBe(true);
    const code = (err as { code: number }).code;
    expect(code >= 200 && code < 300, String(err)).toBe(true);
  }
}

/** Overwrites a few positions of `base` with random bytes (and may cut or extend it). */
const mutationsOf = (base: Uint8Array) =>
  fc
    .record({
      edits: fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.nat({ max: 255 })), { minLength: 1, maxLength: 8 }),
      length: fc.oneof(fc.constant(base.length), fc.nat({ max: base.length + 16 })),
    })
    .map(({ edits, length }) => {
      const out = new Uint8Array(length);
      out.set(base.subarray(0, Math.min(length, base.length)));
      for (const [at, v] of edits) if (at < length) out[at] = v;
      return out;
    });

describe('parseImage on hostile input', () => {
  it('survives random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), survives), { numRuns: 500 });
  });

  it('survives random bytes behind a valid file identifier and header version', () => {
    const prefix = [0x1e, 0xf1, 0xee, 0x0b, 0x00, 0x01];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (rest) => survives(Uint8Array.from([...prefix, ...rest]))),
      { numRuns: 500 },
    );
  });

  it('survives random edits of a built image and of the real sample', () => {
    fc.assert(fc.property(mutationsOf(builtImage()), survives), { numRuns: 400 });
    fc.assert(fc.property(mutationsOf(readSample()), survives), { numRuns: 400 });
  });

  it('survives sub-element sequences with random tags and lengths', () => {
    const base = builtImage();
    const image = parseImage(base);
    const at = image.upgradeImage.byteOffset - base.byteOffset;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(0x0000, 0xf100, 0xf101, 0x7777), fc.nat({ max: 40 }), fc.nat()), { maxLength: 6 }), (els) => {
        const out = Buffer.from(base);
        let pos = at;
        for (const [tag, len, fill] of els) {
          if (pos + 6 > out.length) break;
          out.writeUInt16LE(tag, pos);
          out.writeUInt32LE(fill % 3 === 0 ? len : fill, pos + 2);
          pos += 6 + len;
        }
        survives(new Uint8Array(out));
      }),
      { numRuns: 400 },
    );
  });
});
