import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors/index.ts';
import {
  buildImage,
  describeImage,
  encodeSubElements,
  isHardwareInRange,
  parseImage,
  parseImageField,
  verifyImageSignature,
} from '../../../protocol/image/index.ts';
import { assemble, builtImage, expectCode, keys, patched, readSample, spec } from './helpers.ts';

/** Rules at the edges of the header checks, the sub-element reader, the builder and field input. */
describe('header checks at their edges', () => {
  it('refuses header versions below 0x0100 as well as above', () => {
    const bytes = builtImage();
    for (const version of [0x0000, 0x00ff, 0x0001, 0x0101]) {
      expectCode(() => parseImage(patched(bytes, 4, version, 2)), ErrorCode.ImageUnsupportedHeader);
    }
  });

  it('refuses every field control bit above bit 2 as unsupported, not as a size mismatch', () => {
    const bytes = builtImage();
    const fieldControl = parseImage(bytes).header.fieldControl;
    for (let bit = 3; bit < 16; bit++) {
      expectCode(() => parseImage(patched(bytes, 8, fieldControl | (1 << bit), 2)), ErrorCode.ImageUnsupportedHeader);
    }
  });

  it('refuses a header length shorter than the field control needs', () => {
    const bytes = builtImage();
    expect(parseImage(bytes).header.headerLength).toBe(60);
    for (const length of [56, 59]) expectCode(() => parseImage(patched(bytes, 6, length, 2)), ErrorCode.ImageInconsistentSizes);
  });
});

describe('sub-elements at their edges', () => {
  const el = (tag: number, value: number[]) => ({ tag, value: Uint8Array.from(value) });

  it('reads a sequence that ends with an empty sub-element as sub-elements', () => {
    const image = parseImage(assemble(encodeSubElements([el(0x0000, [1, 2, 3]), el(0x1234, [])])));
    expect(image.upgradeImageFormat).toBe('sub-elements');
    expect(image.subElements.map((e) => [e.tag, e.value.length])).toEqual([
      [0x0000, 3],
      [0x1234, 0],
    ]);
    expect(Array.from(image.payload)).toEqual([1, 2, 3]);
    const emptyPayloadLast = parseImage(assemble(encodeSubElements([el(0xf100, [0, 0]), el(0x0000, [])])));
    expect(emptyPayloadLast.upgradeImageFormat).toBe('sub-elements');
    expect(emptyPayloadLast.payload.length).toBe(0);
    expect(emptyPayloadLast.upgradeableFrom).toEqual([]);
  });
});

describe('buildImage at its edges', () => {
  it('writes the payload, then the upgradeable-from list, then the signer key ID', () => {
    const image = parseImage(builtImage());
    expect(image.subElements.map((e) => e.tag)).toEqual([0x0000, 0xf100, 0xf101]);
  });

  it('accepts a one-version hardware range, and the hub at exactly that version', () => {
    const image = parseImage(buildImage({ ...spec, minHardwareVersion: 0x1200, maxHardwareVersion: 0x1200 }, keys.privateKeyPem));
    expect([image.header.minHardwareVersion, image.header.maxHardwareVersion]).toEqual([0x1200, 0x1200]);
    expect(isHardwareInRange(image, 0x1200)).toBe(true);
    expect(isHardwareInRange(image, 0x11ff)).toBe(false);
    expect(isHardwareInRange(image, 0x1201)).toBe(false);
  });

  it('accepts a header string of exactly 32 characters and reads it back whole', () => {
    const headerString = 'A'.repeat(16) + '~ 0123456789-_.!';
    expect(headerString.length).toBe(32);
    expect(parseImage(buildImage({ ...spec, headerString }, keys.privateKeyPem)).header.headerString).toBe(headerString);
  });

  it('builds an image of exactly the size limit', () => {
    const size = builtImage().length;
    const bytes = buildImage(spec, keys.privateKeyPem, { maxSize: size });
    expect(bytes.length).toBe(size);
    expectCode(() => buildImage(spec, keys.privateKeyPem, { maxSize: size - 1 }), ErrorCode.ImageOversized);
  });

  it('accepts an upgradeable-from list of 65 535 versions, the most its count can say', () => {
    const upgradeableFrom = Array.from({ length: 0xffff }, (_, i) => i);
    const image = parseImage(buildImage({ ...spec, upgradeableFrom }, keys.privateKeyPem));
    expect(image.upgradeableFrom?.length).toBe(0xffff);
    expect(image.upgradeableFrom?.[0xfffe]).toBe(0xfffe);
    expect(verifyImageSignature(image, keys.publicKeyPem)).toBe(keys.keyId);
  });
});

describe('describeImage', () => {
  it('prints the identifier and header version as fixed-width hex', () => {
    expect(describeImage(parseImage(readSample()))).toMatchObject({ fileIdentifier: '0x0BEEF11E', headerVersion: '0x0100', stackVersion: '0x0002' });
  });

  it('lists each sub-element with its tag and length', () => {
    const d = describeImage(parseImage(builtImage()));
    expect(d.subElements).toEqual([
      { tag: '0x0000', length: spec.payload.length },
      { tag: '0xF100', length: 2 + 4 * spec.upgradeableFrom!.length },
      { tag: '0xF101', length: 8 },
    ]);
  });
});

describe('parseImageField (numbers typed on the command line)', () => {
  it('reads 0x-prefixed hex and decimal, trimming spaces', () => {
    expect(parseImageField('0x121D', 0xffff, 'manufacturer code')).toBe(0x121d);
    expect(parseImageField('0X121d', 0xffff, 'manufacturer code')).toBe(0x121d);
    expect(parseImageField('1000', 0xffff, 'image type')).toBe(1000);
    expect(parseImageField(' 0x0001 ', 0xffff, 'image type')).toBe(1);
    expect(parseImageField('\t42\n', 0xffff, 'image type')).toBe(42);
  });

  it('accepts the maximum itself, in either form, and nothing above', () => {
    expect(parseImageField('0xFFFF', 0xffff, 'image type')).toBe(0xffff);
    expect(parseImageField('65535', 0xffff, 'image type')).toBe(0xffff);
    expectCode(() => parseImageField('65536', 0xffff, 'image type'), ErrorCode.ImageBadField);
    expectCode(() => parseImageField('0x10000', 0xffff, 'image type'), ErrorCode.ImageBadField);
  });

  it('refuses hex without its 0x, so that a number is never ambiguous', () => {
    for (const text of ['121D', 'FFFF', 'x12', '0x', '-1', '1.5', '']) {
      const err = expectCode(() => parseImageField(text, 0xffff, 'manufacturer code'), ErrorCode.ImageBadField);
      expect(err.message).toContain('manufacturer code');
    }
  });
});
