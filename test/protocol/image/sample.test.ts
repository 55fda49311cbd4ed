import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors/index.ts';
import {
  describeImage,
  isHardwareInRange,
  parseImage,
  verifyImageSignature,
  verifyWithTrustedKeys,
} from '../../../protocol/image/index.ts';
import { expectCode, keys, otherKeys, readSample } from './helpers.ts';

describe('the real GBCS manufacturer image sample', () => {
  const bytes = readSample();
  const image = parseImage(bytes);

  it('parses with the published header values', () => {
    expect(bytes.length).toBe(361);
    expect(image.header).toEqual({
      fileIdentifier: 0x0beef11e,
      headerVersion: 0x0100,
      headerLength: 60,
      fieldControl: 0x0004,
      manufacturerCode: 0x121d,
      imageType: 0x0000,
      fileVersion: 0xacdcacdc,
      stackVersion: 0x0002,
      headerString: 'I am a GFI ESME[] firmware image',
      totalImageSize: 361,
      minHardwareVersion: 0x1111,
      maxHardwareVersion: 0x1211,
    });
  });

  it('treats its upgrade image as opaque bytes, sliced without copying', () => {
    expect(image.upgradeImageFormat).toBe('opaque');
    expect(image.subElements).toEqual([]);
    expect(image.upgradeImage.length).toBe(361 - 60 - 64);
    expect(image.payload).toBe(image.upgradeImage);
    expect(image.upgradeImage.buffer).toBe(bytes.buffer);
    expect(Buffer.from(image.payload.subarray(0, 16)).toString('latin1')).toBe('CriticalSoftware');
    expect(image.upgradeableFrom).toBeUndefined();
    expect(image.signerKeyId).toBeUndefined();
    expect(image.signedBytes.length).toBe(361 - 64);
    expect(Array.from(image.signature)).toEqual(Array.from(bytes.subarray(297)));
    expect(image.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('reports its placeholder signature as a bad signature against any key', () => {
    for (const k of [keys.publicKeyPem, otherKeys.publicKeyPem, keys.privateKeyPem]) {
      expectCode(() => verifyImageSignature(image, k), ErrorCode.ImageBadSignature);
    }
    expectCode(() => verifyWithTrustedKeys(image, [keys.publicKeyPem, otherKeys.publicKeyPem]), ErrorCode.ImageBadSignature);
  });

  it('checks hardware versions against its range', () => {
    expect(isHardwareInRange(image, 0x1111)).toBe(true);
    expect(isHardwareInRange(image, 0x1211)).toBe(true);
    expect(isHardwareInRange(image, 0x1110)).toBe(false);
    expect(isHardwareInRange(image, 0x1212)).toBe(false);
  });

  it('describes itself as plain JSON', () => {
    const d = describeImage(image);
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d).toMatchObject({
      manufacturerCode: '0x121D',
      imageType: '0x0000',
      fileVersion: 'ACDCACDC',
      headerLength: 60,
      fieldControl: '0x0004',
      hardwareVersions: { min: '0x1111', max: '0x1211' },
      totalImageSize: 361,
      upgradeImageFormat: 'opaque',
      signerKeyId: null,
    });
  });
});
