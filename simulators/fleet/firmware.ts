import { createHash } from 'node:crypto';
import { buildImage, generateManufacturerKeyPair } from '../../protocol/image/index.ts';
import { TEST_HARDWARE_VERSION, TEST_IMAGE_TYPE, TEST_MANUFACTURER_CODE } from '../hub/identity.ts';

/** A manufacturer key pair (PEM) for simulated firmware; `keyId` as protocol/image computes it. */
export interface ManufacturerKey {
  privateKeyPem: string;
  publicKeyPem: string;
  keyId: string;
}

export function makeManufacturerKey(): ManufacturerKey {
  return generateManufacturerKeyPair();
}

export interface FirmwareOptions {
  /** Signs the image. */
  privateKeyPem: string;
  /** File version (u32). */
  version: number;
  manufacturerCode?: number;
  imageType?: number;
  /** Inclusive hardware range; default: 0 to 0xFFFF around the test hardware version. */
  hardware?: { min: number; max: number };
  /** Firmware payload size; the payload is deterministic pseudo-random bytes from `seed`. */
  payloadBytes?: number;
  seed?: string;
  upgradeableFrom?: number[];
}

/** A signed manufacturer image for simulated hubs (factory firmware, upgrades in tests and benches). */
export function makeFirmwareImage(o: FirmwareOptions): Uint8Array {
  const hardware = o.hardware ?? { min: Math.max(0, TEST_HARDWARE_VERSION - 0xff), max: TEST_HARDWARE_VERSION + 0xff };
  return buildImage(
    {
      manufacturerCode: o.manufacturerCode ?? TEST_MANUFACTURER_CODE,
      imageType: o.imageType ?? TEST_IMAGE_TYPE,
      fileVersion: o.version,
      minHardwareVersion: hardware.min,
      maxHardwareVersion: hardware.max,
      upgradeableFrom: o.upgradeableFrom,
      headerString: 'hubflash simulated firmware',
      payload: pseudoRandomPayload(o.payloadBytes ?? 16 * 1024, o.seed ?? `firmware ${o.version}`),
    },
    o.privateKeyPem,
  );
}

/** Bytes that look like firmware (incompressible) but are the same for the same seed. */
export function pseudoRandomPayload(length: number, seed: string): Uint8Array {
  const out = Buffer.alloc(length);
  let block = createHash('sha256').update(seed).digest();
  for (let at = 0; at < length; at += block.length) {
    block.copy(out, at);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}
