import { createHash, createPublicKey, createSecretKey, generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import {
  buildImage,
  encodeSubElements,
  generateManufacturerKeyPair,
  keyIdOf,
  parseImage,
  verifyImageSignature,
  verifyWithTrustedKeys,
} from '../../../protocol/image/index.ts';
import { assemble, builtImage, expectCode, keys, otherKeys, spec } from './helpers.ts';

const p1363 = (pem: string) => (data: Uint8Array) => new Uint8Array(sign('sha256', data, { key: pem, dsaEncoding: 'ieee-p1363' }));
/** An image with no signer key ID, signed by `pem`: verification cannot tell wrong key from tampering. */
const anonymous = (pem: string) => parseImage(assemble(encodeSubElements([{ tag: 0, value: Uint8Array.from([9, 9]) }]), p1363(pem)));

describe('manufacturer keys', () => {
  it('derives the key ID from the SPKI DER public key, from either half', () => {
    const der = createPublicKey(keys.publicKeyPem).export({ type: 'spki', format: 'der' });
    const expected = createHash('sha256').update(der).digest('hex').slice(0, 16);
    expect(keys.keyId).toBe(expected);
    expect(keyIdOf(keys.publicKeyPem)).toBe(expected);
    expect(keyIdOf(keys.privateKeyPem)).toBe(expected);
    expect(keyIdOf(createPublicKey(keys.publicKeyPem))).toBe(expected);
    expect(otherKeys.keyId).not.toBe(expected);
    expect(keys.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(keys.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('refuses garbage and keys of the wrong kind', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const ed = generateKeyPairSync('ed25519');
    const image = parseImage(builtImage());
    const cutPem = keys.publicKeyPem.replace(/\n[^\n]+\n-----END/, '\n-----END');
    expect(cutPem).not.toBe(keys.publicKeyPem);
    const garbage: unknown[] = ['', 'not a key', cutPem, rsa.publicKey, p384.publicKey, ed.publicKey, createSecretKey(Buffer.alloc(32)), {}, null, 42];
    for (const g of garbage) {
      expectCode(() => verifyImageSignature(image, g as string), ErrorCode.ImageBadKey);
      expectCode(() => verifyWithTrustedKeys(image, [keys.publicKeyPem, g as string]), ErrorCode.ImageBadKey);
      expectCode(() => keyIdOf(g as string), ErrorCode.ImageBadKey);
      expectCode(() => buildImage(spec, g as string), ErrorCode.ImageBadKey);
    }
    // Signing needs the private half.
    expectCode(() => buildImage(spec, keys.publicKeyPem), ErrorCode.ImageBadKey);
    expectCode(() => buildImage(spec, createPublicKey(keys.publicKeyPem)), ErrorCode.ImageBadKey);
    expectCode(() => buildImage(spec, rsa.privateKey), ErrorCode.ImageBadKey);
  });
});

describe('verifyImageSignature', () => {
  it('accepts the signer key, given as PEM or KeyObject', () => {
    const image = parseImage(builtImage());
    expect(verifyImageSignature(image, keys.publicKeyPem)).toBe(keys.keyId);
    expect(verifyImageSignature(image, createPublicKey(keys.publicKeyPem))).toBe(keys.keyId);
  });

  it('says wrong key when the image names another signer', () => {
    const err = expectCode(() => verifyImageSignature(parseImage(builtImage()), otherKeys.publicKeyPem), ErrorCode.ImageWrongKey);
    expect(err.message).toContain(keys.keyId);
    expect(err.message).toContain(otherKeys.keyId);
  });

  it('says bad signature for a tampered payload or signature', () => {
    const bytes = builtImage();
    const image = parseImage(bytes);
    const payloadAt = image.payload.byteOffset - bytes.byteOffset;
    for (const at of [payloadAt, payloadAt + image.payload.length - 1, bytes.length - 1, bytes.length - 64]) {
      const flipped = Uint8Array.from(bytes);
      flipped[at]! ^= 0x80;
      expectCode(() => verifyImageSignature(parseImage(flipped), keys.publicKeyPem), ErrorCode.ImageBadSignature);
    }
  });

  it('says bad signature for a single flipped bit anywhere, or a typed parse error', () => {
    const bytes = builtImage();
    fc.assert(
      fc.property(fc.nat({ max: bytes.length * 8 - 1 }), (bit) => {
        const flipped = Uint8Array.from(bytes);
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        try {
          verifyImageSignature(parseImage(flipped), keys.publicKeyPem);
          expect.unreachable('a flipped bit must not verify');
        } catch (err) {
          // A flip inside the key ID names another signer; a flip in the structure fails parsing.
          expect(isHubflashError(err), String(err)).toBe(true);
          const code = (err as { code: number }).code;
          expect(code >= 200 && code < 300 && code !== ErrorCode.ImageBadKey).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('without a key ID, any failure is a bad signature', () => {
    const image = anonymous(keys.privateKeyPem);
    expect(image.signerKeyId).toBeUndefined();
    expect(verifyImageSignature(image, keys.publicKeyPem)).toBe(keys.keyId);
    expectCode(() => verifyImageSignature(image, otherKeys.publicKeyPem), ErrorCode.ImageBadSignature);
  });
});

describe('verifyWithTrustedKeys', () => {
  const third = generateManufacturerKeyPair();

  it('picks the trusted key named by the image', () => {
    const image = parseImage(builtImage());
    expect(verifyWithTrustedKeys(image, [otherKeys.publicKeyPem, third.publicKeyPem, keys.publicKeyPem])).toBe(keys.keyId);
  });

  it('says wrong key when no trusted key has the signer key ID', () => {
    const image = parseImage(builtImage());
    expectCode(() => verifyWithTrustedKeys(image, [otherKeys.publicKeyPem, third.publicKeyPem]), ErrorCode.ImageWrongKey);
    expectCode(() => verifyWithTrustedKeys(image, []), ErrorCode.ImageWrongKey);
  });

  it('says bad signature when the named key does not verify', () => {
    const bytes = Uint8Array.from(builtImage());
    bytes[100]! ^= 1;
    expectCode(() => verifyWithTrustedKeys(parseImage(bytes), [otherKeys.publicKeyPem, keys.publicKeyPem]), ErrorCode.ImageBadSignature);
  });

  it('tries each key for an image without a key ID', () => {
    const image = anonymous(third.privateKeyPem);
    expect(verifyWithTrustedKeys(image, [keys.publicKeyPem, third.publicKeyPem])).toBe(third.keyId);
    expectCode(() => verifyWithTrustedKeys(image, [keys.publicKeyPem, otherKeys.publicKeyPem]), ErrorCode.ImageBadSignature);
    expectCode(() => verifyWithTrustedKeys(image, []), ErrorCode.ImageWrongKey);
  });
});
