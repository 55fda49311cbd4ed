import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors/index.ts';
import {
  buildImage,
  DEFAULT_HEADER_STRING,
  describeImage,
  isHardwareInRange,
  parseImage,
  verifyImageSignature,
  type ImageSpec,
} from '../../../protocol/image/index.ts';
import { builtImage, expectCode, keys, spec } from './helpers.ts';

const u16 = fc.nat({ max: 0xffff });
const u32 = fc.nat({ max: 0xffffffff });
const hardwareRange = fc.tuple(u16, u16).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
const specs: fc.Arbitrary<ImageSpec> = fc.record(
  {
    manufacturerCode: u16,
    imageType: u16,
    fileVersion: u32,
    stackVersion: u16,
    headerString: fc.stringMatching(/^[\x20-\x7e]{0,32}$/),
    securityCredentialVersion: fc.nat({ max: 0xff }),
    upgradeFileDestination: fc.stringMatching(/^[0-9a-f]{16}$/),
    hardware: hardwareRange,
    upgradeableFrom: fc.array(u32, { maxLength: 20 }),
    payload: fc.uint8Array({ maxLength: 3000 }),
  },
  { requiredKeys: ['manufacturerCode', 'imageType', 'fileVersion', 'payload'] },
).map(({ hardware, ...rest }) =>
  hardware ? { ...rest, minHardwareVersion: hardware[0], maxHardwareVersion: hardware[1] } : rest,
);

describe('build → parse round trip', () => {
  it('gives back every field of random specs, and the signature verifies', () => {
    fc.assert(
      fc.property(specs, (s) => {
        const bytes = buildImage(s, keys.privateKeyPem);
        const image = parseImage(bytes);
        const h = image.header;
        expect(h.manufacturerCode).toBe(s.manufacturerCode);
        expect(h.imageType).toBe(s.imageType);
        expect(h.fileVersion).toBe(s.fileVersion);
        expect(h.stackVersion).toBe(s.stackVersion ?? 0x0002);
        expect(h.headerString).toBe(s.headerString ?? DEFAULT_HEADER_STRING);
        expect(h.securityCredentialVersion).toBe(s.securityCredentialVersion);
        expect(h.upgradeFileDestination?.replace(/-/g, '').toLowerCase()).toBe(s.upgradeFileDestination);
        expect(h.minHardwareVersion).toBe(s.minHardwareVersion);
        expect(h.maxHardwareVersion).toBe(s.maxHardwareVersion);
        expect(h.totalImageSize).toBe(bytes.length);
        expect(image.upgradeImageFormat).toBe('sub-elements');
        expect(Array.from(image.payload)).toEqual(Array.from(s.payload));
        expect(image.upgradeableFrom).toEqual(s.upgradeableFrom);
        expect(image.signerKeyId).toBe(keys.keyId);
        expect(image.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
        expect(verifyImageSignature(image, keys.publicKeyPem)).toBe(keys.keyId);
        const d = describeImage(image);
        expect(JSON.parse(JSON.stringify(d))).toEqual(d);
      }),
      { numRuns: 150 },
    );
  });

  it('lays out the header as the Zigbee OTA file format says', () => {
    const bytes = buildImage(
      { ...spec, securityCredentialVersion: 2, upgradeFileDestination: '00-DB-12-34-56-78-90-A0' },
      keys.privateKeyPem,
    );
    const buf = Buffer.from(bytes);
    expect(buf.readUInt32LE(0)).toBe(0x0beef11e);
    expect(buf.readUInt16LE(4)).toBe(0x0100);
    expect(buf.readUInt16LE(6)).toBe(56 + 1 + 8 + 4);
    expect(buf.readUInt16LE(8)).toBe(0x0007);
    expect(buf.readUInt16LE(10)).toBe(0x121d);
    expect(buf.readUInt32LE(14)).toBe(0x01260300);
    expect(buf.readUInt32LE(52)).toBe(bytes.length);
    expect(buf[56]).toBe(2);
    // IEEE address least significant octet first, as Zigbee writes it.
    expect(buf.subarray(57, 65).toString('hex')).toBe('a09078563412db00');
    expect(buf.readUInt16LE(65)).toBe(0x1111);
    expect(buf.readUInt16LE(67)).toBe(0x1211);
    // First sub-element: the payload, tag 0x0000.
    expect(buf.readUInt16LE(69)).toBe(0x0000);
    expect(buf.readUInt32LE(71)).toBe(spec.payload.length);
    expect(parseImage(bytes).header.upgradeFileDestination).toBe('00-DB-12-34-56-78-90-A0');
  });

  it('omits optional header fields and the upgradeable-from list when not given', () => {
    const image = parseImage(buildImage({ manufacturerCode: 1, imageType: 2, fileVersion: 3, payload: new Uint8Array(0) }, keys.privateKeyPem));
    expect(image.header.fieldControl).toBe(0);
    expect(image.header.headerLength).toBe(56);
    expect(image.upgradeableFrom).toBeUndefined();
    expect(image.payload.length).toBe(0);
    expect(image.subElements.map((e) => e.tag)).toEqual([0x0000, 0xf101]);
    expect(isHardwareInRange(image, 0)).toBe(true);
    expect(isHardwareInRange(image, 0xffff)).toBe(true);
    expect(isHardwareInRange(image, 0x10000)).toBe(false);
    expect(isHardwareInRange(image, 1.5)).toBe(false);
  });

  it('keeps an empty upgradeable-from list distinct from none', () => {
    expect(parseImage(buildImage({ ...spec, upgradeableFrom: [] }, keys.privateKeyPem)).upgradeableFrom).toEqual([]);
  });

  it('refuses specs it cannot write', () => {
    const bad: Array<Partial<ImageSpec>> = [
      { manufacturerCode: 0x10000 },
      { imageType: -1 },
      { fileVersion: 0x1_0000_0000 },
      { fileVersion: 1.5 },
      { stackVersion: 0x10000 },
      { securityCredentialVersion: 256 },
      { headerString: 'x'.repeat(33) },
      { headerString: 'tab\there' },
      { headerString: 'caf\u00e9' },
      { minHardwareVersion: 2, maxHardwareVersion: 1 },
      { minHardwareVersion: 1, maxHardwareVersion: undefined },
      { upgradeableFrom: [-1] },
      { upgradeableFrom: new Array<number>(0x10000).fill(0) },
      { payload: 'firmware' as unknown as Uint8Array },
    ];
    for (const patch of bad) expectCode(() => buildImage({ ...spec, ...patch }, keys.privateKeyPem), ErrorCode.ImageBadField);
    expectCode(() => buildImage({ ...spec, upgradeFileDestination: 'nope' }, keys.privateKeyPem), ErrorCode.InvalidDeviceId);
  });

  it('refuses to build past the size limit', () => {
    const err = expectCode(() => buildImage(spec, keys.privateKeyPem, { maxSize: 100 }), ErrorCode.ImageOversized);
    expect(err.message).toMatch(/over the limit of 100/);
    expect(builtImage().length).toBeGreaterThan(100);
  });
});
