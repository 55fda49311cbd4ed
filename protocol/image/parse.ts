import { createHash } from 'node:crypto';
import { ErrorCode, HubflashError } from '../errors/index.ts';
import { DEFAULT_MAX_IMAGE_SIZE, SIGNATURE_LENGTH, TAG_SIGNER_KEY_ID, TAG_UPGRADE_IMAGE, TAG_UPGRADEABLE_FROM } from './constants.ts';
import { decodeHeader } from './header.ts';
import { decodeKeyId, decodeSubElements, decodeUpgradeableFrom, findOnly } from './subElements.ts';
import type { ManufacturerImage, ParseImageOptions } from './types.ts';

/**
 * Parses a whole manufacturer image file. Checks structure only; the signature is checked by
 * verifyImageSignature / verifyWithTrustedKeys. Throws only HubflashError (2xx).
 */
export function parseImage(bytes: Uint8Array, opts: ParseImageOptions = {}): ManufacturerImage {
  if (!(bytes instanceof Uint8Array)) {
    throw new HubflashError(ErrorCode.ImageBadField, `Image must be bytes, got ${typeof bytes}`);
  }
  const maxSize = opts.maxSize ?? DEFAULT_MAX_IMAGE_SIZE;
  if (bytes.length > maxSize) throw oversized(bytes.length, maxSize, 'file is');

  const header = decodeHeader(bytes);
  const total = header.totalImageSize;
  if (total > maxSize) throw oversized(total, maxSize, 'header declares');
  if (bytes.length < total) {
    throw new HubflashError(
      ErrorCode.ImageTruncated,
      `Image is truncated: the header declares ${total} bytes but the file has ${bytes.length}; copy it again`,
      { have: bytes.length, need: total },
    );
  }
  if (bytes.length > total || total < header.headerLength + SIGNATURE_LENGTH) {
    throw new HubflashError(
      ErrorCode.ImageInconsistentSizes,
      `Image sizes disagree: the file has ${bytes.length} bytes, its header declares ${total}, and a header of ${header.headerLength} plus a ${SIGNATURE_LENGTH}-byte signature needs at least ${header.headerLength + SIGNATURE_LENGTH}`,
      { fileSize: bytes.length, totalImageSize: total, headerLength: header.headerLength },
    );
  }

  const signatureAt = total - SIGNATURE_LENGTH;
  const upgradeImage = bytes.subarray(header.headerLength, signatureAt);
  const subElements = decodeSubElements(upgradeImage) ?? [];
  const image: ManufacturerImage = {
    bytes,
    header,
    upgradeImage,
    upgradeImageFormat: subElements.length > 0 ? 'sub-elements' : 'opaque',
    subElements,
    payload: findOnly(subElements, TAG_UPGRADE_IMAGE, 'upgrade image')?.value ?? upgradeImage,
    signedBytes: bytes.subarray(0, signatureAt),
    signature: bytes.subarray(signatureAt, total),
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  const from = findOnly(subElements, TAG_UPGRADEABLE_FROM, 'upgradeable-from');
  if (from) image.upgradeableFrom = decodeUpgradeableFrom(from.value);
  const keyId = findOnly(subElements, TAG_SIGNER_KEY_ID, 'signer key ID');
  if (keyId) image.signerKeyId = decodeKeyId(keyId.value);
  return image;
}

function oversized(size: number, maxSize: number, what: string): HubflashError {
  return new HubflashError(
    ErrorCode.ImageOversized,
    `Image is too large: the ${what} ${size} bytes, over the limit of ${maxSize}`,
    { size, maxSize },
  );
}
