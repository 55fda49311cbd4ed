import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { buildImage, encodeHeader, generateManufacturerKeyPair, type ImageSpec } from '../../../protocol/image/index.ts';

export const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');
export const samplePath = path.join(fixturesDir, 'gbcs-manufacturer-image-sample.bin');
export const readSample = (): Uint8Array => new Uint8Array(readFileSync(samplePath));

export const keys = generateManufacturerKeyPair();
export const otherKeys = generateManufacturerKeyPair();

export const spec: ImageSpec = {
  manufacturerCode: 0x121d,
  imageType: 0x0001,
  fileVersion: 0x01260300,
  minHardwareVersion: 0x1111,
  maxHardwareVersion: 0x1211,
  upgradeableFrom: [0x01250000, 0x01250100],
  payload: new Uint8Array(Array.from({ length: 200 }, (_, i) => (i * 7) & 0xff)),
};

export const builtImage = (): Uint8Array => buildImage(spec, keys.privateKeyPem);

/** Runs fn and asserts it throws a HubflashError with `code`; returns it for further checks. */
export function expectCode(fn: () => unknown, code: ErrorCode): Error {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isHubflashError(thrown, code), `expected ${ErrorCode[code]}, got ${String(thrown)}`).toBe(true);
  return thrown as Error;
}

/** Header + upgrade image + signature assembled by hand (unsigned unless a signer is given). */
export function assemble(upgradeImage: Uint8Array, sign?: (signed: Uint8Array) => Uint8Array): Uint8Array {
  const fields = { manufacturerCode: 0x121d, imageType: 0, fileVersion: 5, stackVersion: 2, headerString: 'test', totalImageSize: 0 };
  const headerLength = encodeHeader(fields).length;
  const total = headerLength + upgradeImage.length + 64;
  const out = new Uint8Array(total);
  out.set(encodeHeader({ ...fields, totalImageSize: total }));
  out.set(upgradeImage, headerLength);
  if (sign) out.set(sign(out.subarray(0, total - 64)), total - 64);
  return out;
}

/** A copy with a little-endian u16/u32 overwritten. */
export function patched(bytes: Uint8Array, offset: number, value: number, size: 1 | 2 | 4): Uint8Array {
  const buf = Buffer.from(bytes);
  if (size === 1) buf.writeUInt8(value, offset);
  else if (size === 2) buf.writeUInt16LE(value, offset);
  else buf.writeUInt32LE(value, offset);
  return new Uint8Array(buf);
}
