/** The Zigbee OTA upgrade file header, as read (see docs/image-format.md). */
export interface OtaHeader {
  fileIdentifier: number;
  headerVersion: number;
  headerLength: number;
  fieldControl: number;
  manufacturerCode: number;
  imageType: number;
  fileVersion: number;
  stackVersion: number;
  headerString: string;
  /** Whole file, signature included. */
  totalImageSize: number;
  securityCredentialVersion?: number;
  /** EUI-64, canonical device ID form. */
  upgradeFileDestination?: string;
  minHardwareVersion?: number;
  maxHardwareVersion?: number;
}

/** How the bytes between header and signature are laid out. */
export type UpgradeImageFormat = 'sub-elements' | 'opaque';

export interface SubElement {
  tag: number;
  /** A view into the image bytes, not a copy. */
  value: Uint8Array;
}

export interface ManufacturerImage {
  /** The whole file. */
  bytes: Uint8Array;
  header: OtaHeader;
  /** Between header and signature (a subarray, not a copy). */
  upgradeImage: Uint8Array;
  upgradeImageFormat: UpgradeImageFormat;
  /** Every sub-element in file order; empty when the upgrade image is opaque. */
  subElements: SubElement[];
  /** Sub-element 0x0000, or the whole upgrade image when opaque. */
  payload: Uint8Array;
  /** From sub-element 0xF100. */
  upgradeableFrom?: number[];
  /** Hex, from sub-element 0xF101. */
  signerKeyId?: string;
  /** Header + upgrade image: what the signature covers. */
  signedBytes: Uint8Array;
  /** 64 bytes, r||s. */
  signature: Uint8Array;
  /** Lower-case hex SHA-256 of the whole file (the "firmware hash"). */
  sha256: string;
}

/** What buildImage needs. Hardware versions come as a pair or not at all. */
export interface ImageSpec {
  manufacturerCode: number;
  imageType: number;
  fileVersion: number;
  stackVersion?: number;
  headerString?: string;
  securityCredentialVersion?: number;
  /** EUI-64 in any spelling parseDeviceId accepts. */
  upgradeFileDestination?: string;
  minHardwareVersion?: number;
  maxHardwareVersion?: number;
  upgradeableFrom?: number[];
  payload: Uint8Array;
}

export interface ParseImageOptions {
  /** Largest file accepted, bytes; default DEFAULT_MAX_IMAGE_SIZE (16 MiB). */
  maxSize?: number;
}
