import { formatFirmwareVersion, formatFirmwareVersionDotted } from '../ids/index.ts';
import type { ManufacturerImage } from './types.ts';

/** Presentation and device checks over a parsed image. */

export const hex16 = (v: number): string => `0x${v.toString(16).toUpperCase().padStart(4, '0')}`;

/** True when the image allows hardware version `hw`; an image without a range allows every version. */
export function isHardwareInRange(image: ManufacturerImage, hw: number): boolean {
  if (!Number.isInteger(hw) || hw < 0 || hw > 0xffff) return false;
  const { minHardwareVersion: min, maxHardwareVersion: max } = image.header;
  if (min === undefined || max === undefined) return true;
  return hw >= min && hw <= max;
}

export interface ImageDescription {
  sha256: string;
  fileSize: number;
  fileIdentifier: string;
  headerVersion: string;
  headerLength: number;
  fieldControl: string;
  manufacturerCode: string;
  imageType: string;
  fileVersion: string;
  fileVersionDotted: string;
  stackVersion: string;
  headerString: string;
  totalImageSize: number;
  securityCredentialVersion: number | null;
  upgradeFileDestination: string | null;
  hardwareVersions: { min: string; max: string } | null;
  upgradeImageSize: number;
  upgradeImageFormat: string;
  subElements: Array<{ tag: string; length: number }>;
  payloadSize: number;
  upgradeableFrom: string[] | null;
  signerKeyId: string | null;
  signature: string;
}

/** A plain JSON-safe object (what `hubflash image inspect --json` prints); codes as hex text. */
export function describeImage(image: ManufacturerImage): ImageDescription {
  const h = image.header;
  return {
    sha256: image.sha256,
    fileSize: image.bytes.length,
    fileIdentifier: `0x${h.fileIdentifier.toString(16).toUpperCase().padStart(8, '0')}`,
    headerVersion: hex16(h.headerVersion),
    headerLength: h.headerLength,
    fieldControl: hex16(h.fieldControl),
    manufacturerCode: hex16(h.manufacturerCode),
    imageType: hex16(h.imageType),
    fileVersion: formatFirmwareVersion(h.fileVersion),
    fileVersionDotted: formatFirmwareVersionDotted(h.fileVersion),
    stackVersion: hex16(h.stackVersion),
    headerString: h.headerString,
    totalImageSize: h.totalImageSize,
    securityCredentialVersion: h.securityCredentialVersion ?? null,
    upgradeFileDestination: h.upgradeFileDestination ?? null,
    hardwareVersions:
      h.minHardwareVersion === undefined || h.maxHardwareVersion === undefined
        ? null
        : { min: hex16(h.minHardwareVersion), max: hex16(h.maxHardwareVersion) },
    upgradeImageSize: image.upgradeImage.length,
    upgradeImageFormat: image.upgradeImageFormat,
    subElements: image.subElements.map((e) => ({ tag: hex16(e.tag), length: e.value.length })),
    payloadSize: image.payload.length,
    upgradeableFrom: image.upgradeableFrom?.map(formatFirmwareVersion) ?? null,
    signerKeyId: image.signerKeyId ?? null,
    signature: Buffer.from(image.signature).toString('hex'),
  };
}
