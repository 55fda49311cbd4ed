import { createHash, randomBytes } from 'node:crypto';
import { buildImage } from '../../../protocol/image/index.ts';
import type { TestServer } from './server.ts';

export interface TestImage {
  bytes: Uint8Array;
  sha256: string;
  /** 8 hex digits. */
  version: string;
}

/** A signed manufacturer image for hubs of the sample snapshot (EDMI 0x121D, hardware 0x1111). */
export function makeImage(privateKeyPem: string, fileVersion = 0x02010000, payloadBytes = 4096): TestImage {
  const bytes = buildImage(
    {
      manufacturerCode: 0x121d,
      imageType: 0,
      fileVersion,
      minHardwareVersion: 0x1100,
      maxHardwareVersion: 0x1200,
      upgradeableFrom: [0x01260300, 0x01250700],
      payload: randomBytes(payloadBytes),
    },
    privateKeyPem,
  );
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), version: fileVersion.toString(16).toUpperCase().padStart(8, '0') };
}

/** Uploads and approves an image through the API. */
export async function addApprovedImage(t: TestServer, fileVersion?: number): Promise<TestImage> {
  const image = makeImage(t.manufacturer.privateKeyPem, fileVersion);
  const res = await t.api('POST', '/api/v1/firmware?approve=true&installationEndDate=2030-03-31', {
    body: image.bytes,
    headers: { 'content-type': 'application/octet-stream' },
  });
  if (res.status !== 201) throw new Error(`adding the image failed: ${res.status} ${JSON.stringify(res.body)}`);
  return image;
}
