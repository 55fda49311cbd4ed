import { sign, verify, type KeyObject } from 'node:crypto';
import { ErrorCode, HubflashError } from '../errors/index.ts';
import { keyIdOf, loadPrivateKey, loadPublicKey, type KeyInput } from './keys.ts';
import type { ManufacturerImage } from './types.ts';

/** ECDSA P-256 over SHA-256, signature as r||s (IEEE P1363), over header + upgrade image. */
const DSA = { dsaEncoding: 'ieee-p1363' } as const;

export function signBytes(data: Uint8Array, privateKey: KeyInput): Uint8Array {
  return new Uint8Array(sign('sha256', data, { key: loadPrivateKey(privateKey), ...DSA }));
}

function signatureHolds(image: ManufacturerImage, key: KeyObject): boolean {
  try {
    return verify('sha256', image.signedBytes, { key, ...DSA }, image.signature);
  } catch {
    return false; // a malformed signature is simply not a valid one
  }
}

function badSignature(image: ManufacturerImage, keyId: string | undefined): HubflashError {
  return new HubflashError(
    ErrorCode.ImageBadSignature,
    `Image signature is not valid${keyId ? ` for key ${keyId}` : ''}: the image was altered or not signed by that manufacturer key; do not flash it`,
    { sha256: image.sha256, keyId, signerKeyId: image.signerKeyId },
  );
}

/**
 * Checks the image against one public key. When the image names its signer (sub-element 0xF101)
 * and that is another key, the error is ImageWrongKey rather than ImageBadSignature.
 * Returns the key ID of the key that verified.
 */
export function verifyImageSignature(image: ManufacturerImage, publicKey: KeyInput): string {
  const key = loadPublicKey(publicKey);
  const keyId = keyIdOf(key);
  if (image.signerKeyId !== undefined && image.signerKeyId !== keyId) {
    throw new HubflashError(
      ErrorCode.ImageWrongKey,
      `Image was signed by key ${image.signerKeyId}, not by the given key ${keyId}; use that manufacturer's public key`,
      { signerKeyId: image.signerKeyId, keyId },
    );
  }
  if (!signatureHolds(image, key)) throw badSignature(image, keyId);
  return keyId;
}

/**
 * Checks the image against a set of trusted keys: by signer key ID when the image names one,
 * otherwise by trying each. Returns the key ID of the key that verified.
 */
export function verifyWithTrustedKeys(image: ManufacturerImage, keys: readonly KeyInput[]): string {
  const trusted = keys.map((k) => {
    const key = loadPublicKey(k);
    return { key, keyId: keyIdOf(key) };
  });
  if (image.signerKeyId !== undefined) {
    const match = trusted.find((t) => t.keyId === image.signerKeyId);
    if (!match) {
      throw new HubflashError(
        ErrorCode.ImageWrongKey,
        `Image was signed by key ${image.signerKeyId}, which is not among the ${trusted.length} trusted manufacturer key(s)`,
        { signerKeyId: image.signerKeyId, trustedKeyIds: trusted.map((t) => t.keyId) },
      );
    }
    if (!signatureHolds(image, match.key)) throw badSignature(image, match.keyId);
    return match.keyId;
  }
  if (trusted.length === 0) {
    throw new HubflashError(ErrorCode.ImageWrongKey, 'No trusted manufacturer key was given to verify the image against');
  }
  const match = trusted.find((t) => signatureHolds(image, t.key));
  if (!match) throw badSignature(image, undefined);
  return match.keyId;
}
