import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { formatFirmwareVersion } from '../../protocol/ids/index.ts';
import { parseImage, verifyWithTrustedKeys, type KeyInput, type ManufacturerImage } from '../../protocol/image/index.ts';

/**
 * A manufacturer image checked once and shared by every session: sessions send views into
 * `bytes`, never copies, so memory does not grow with the number of hubs.
 */
export interface FlashImage {
  readonly image: ManufacturerImage;
  readonly bytes: Uint8Array;
  readonly size: number;
  readonly sha256: string;
  readonly version: number;
  /** 8 hex digits (DUIS form). */
  readonly versionText: string;
  readonly signature: Uint8Array;
  /** The trusted key that verified the signature. */
  readonly keyId: string;
}

/**
 * Parses the image (if given as bytes) and verifies its signature against the trusted
 * manufacturer keys, before any byte of it goes to a hub. Throws HubflashError (2xx).
 */
export function prepareImage(input: ManufacturerImage | Uint8Array, trustedKeys: readonly KeyInput[]): FlashImage {
  if (trustedKeys.length === 0) {
    throw new HubflashError(ErrorCode.ImageWrongKey, 'No trusted manufacturer key was given: an image is verified before it is flashed (use --trusted-key)');
  }
  const image = input instanceof Uint8Array ? parseImage(input) : input;
  const keyId = verifyWithTrustedKeys(image, trustedKeys);
  return Object.freeze({
    image,
    bytes: image.bytes,
    size: image.bytes.length,
    sha256: image.sha256,
    version: image.header.fileVersion,
    versionText: formatFirmwareVersion(image.header.fileVersion),
    signature: image.signature,
    keyId,
  });
}
