import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors/index.ts';
import { DEFAULT_MAX_IMAGE_SIZE, encodeSubElements, parseImage } from '../../../protocol/image/index.ts';
import { assemble, builtImage, expectCode, patched, readSample } from './helpers.ts';

describe('parseImage refuses malformed files with typed errors', () => {
  it.each([
    ['a built image', builtImage],
    ['the real sample', readSample],
  ])('reports every proper prefix of %s as truncated', (_name, make) => {
    const bytes = make();
    for (let n = 0; n < bytes.length; n++) {
      expectCode(() => parseImage(bytes.subarray(0, n)), ErrorCode.ImageTruncated);
    }
    expect(parseImage(bytes).header.totalImageSize).toBe(bytes.length);
  });

  it('refuses files over the size limit, actual or declared', () => {
    const bytes = builtImage();
    expectCode(() => parseImage(bytes, { maxSize: bytes.length - 1 }), ErrorCode.ImageOversized);
    expect(parseImage(bytes, { maxSize: bytes.length }).bytes).toBe(bytes);
    expectCode(() => parseImage(new Uint8Array(DEFAULT_MAX_IMAGE_SIZE + 1)), ErrorCode.ImageOversized);
    // A short file whose header claims more than the limit is refused for the claim.
    expectCode(() => parseImage(patched(bytes, 52, DEFAULT_MAX_IMAGE_SIZE + 1, 4)), ErrorCode.ImageOversized);
  });

  it('refuses a wrong file identifier, however short the file', () => {
    const bytes = builtImage();
    for (let i = 0; i < 4; i++) {
      const bad = Uint8Array.from(bytes);
      bad[i]! ^= 0x01;
      expectCode(() => parseImage(bad), ErrorCode.ImageWrongIdentifier);
      expectCode(() => parseImage(bad.subarray(0, i + 1)), ErrorCode.ImageWrongIdentifier);
    }
    const err = expectCode(() => parseImage(Buffer.from('-----BEGIN PUBLIC KEY-----')), ErrorCode.ImageWrongIdentifier);
    expect(err.message).toMatch(/0x0BEEF11E/);
  });

  it('refuses sizes that disagree', () => {
    const bytes = builtImage();
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expectCode(() => parseImage(longer), ErrorCode.ImageInconsistentSizes);
    // Declared total too small to hold header + signature, file cut to match.
    expectCode(() => parseImage(patched(bytes, 52, 100, 4).subarray(0, 100)), ErrorCode.ImageInconsistentSizes);
    // Header length that does not match the field control bits.
    expectCode(() => parseImage(patched(bytes, 6, 61, 2)), ErrorCode.ImageInconsistentSizes);
    expectCode(() => parseImage(patched(bytes, 8, 0x0000, 2)), ErrorCode.ImageInconsistentSizes);
  });

  it('refuses header versions and field control bits it does not know', () => {
    const bytes = builtImage();
    expectCode(() => parseImage(patched(bytes, 4, 0x0200, 2)), ErrorCode.ImageUnsupportedHeader);
    expectCode(() => parseImage(patched(bytes, 8, 0x0014, 2)), ErrorCode.ImageUnsupportedHeader);
  });

  it('refuses an empty hardware range', () => {
    expectCode(() => parseImage(patched(builtImage(), 56, 0x2000, 2)), ErrorCode.ImageBadField);
  });
});

describe('upgrade image layout', () => {
  const payload = Uint8Array.from([1, 2, 3, 4]);
  const el = (tag: number, value: Uint8Array | number[]) => ({ tag, value: Uint8Array.from(value) });

  it('uses sub-elements that exactly fill the upgrade image', () => {
    const image = parseImage(assemble(encodeSubElements([el(0xf100, [1, 0, 9, 0, 0, 0]), el(0x0000, payload), el(0x1234, [7])])));
    expect(image.upgradeImageFormat).toBe('sub-elements');
    expect(Array.from(image.payload)).toEqual([1, 2, 3, 4]);
    expect(image.upgradeableFrom).toEqual([9]);
    expect(image.subElements.map((e) => e.tag)).toEqual([0xf100, 0x0000, 0x1234]);
  });

  it.each([
    ['a trailing byte', () => [...encodeSubElements([el(0, payload)]), 0]],
    ['a length past the end', () => encodeSubElements([el(0, payload)]).subarray(0, 9)],
    ['no upgrade image element', () => encodeSubElements([el(0xf101, [1, 2, 3, 4, 5, 6, 7, 8])])],
    ['two upgrade image elements', () => encodeSubElements([el(0, payload), el(0, payload)])],
    ['nothing at all', () => []],
  ])('treats it as opaque payload when it has %s', (_why, make) => {
    const upgrade = Uint8Array.from(make());
    const image = parseImage(assemble(upgrade));
    expect(image.upgradeImageFormat).toBe('opaque');
    expect(Array.from(image.payload)).toEqual(Array.from(upgrade));
    expect(image.signerKeyId).toBeUndefined();
    expect(image.upgradeableFrom).toBeUndefined();
  });

  it.each([
    ['a short upgradeable-from list', [el(0, payload), el(0xf100, [2, 0, 1, 0, 0, 0])]],
    ['an upgradeable-from list without a count', [el(0, payload), el(0xf100, [1])]],
    ['a 7-byte key ID', [el(0, payload), el(0xf101, [1, 2, 3, 4, 5, 6, 7])]],
    ['two key IDs', [el(0, payload), el(0xf101, [1, 2, 3, 4, 5, 6, 7, 8]), el(0xf101, [1, 2, 3, 4, 5, 6, 7, 8])]],
    ['two upgradeable-from lists', [el(0, payload), el(0xf100, [0, 0]), el(0xf100, [0, 0])]],
  ])('refuses %s', (_why, elements) => {
    expectCode(() => parseImage(assemble(encodeSubElements(elements))), ErrorCode.ImageBadField);
  });
});
