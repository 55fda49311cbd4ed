/** Fixed facts of the Zigbee OTA upgrade file format as GB manufacturer images use it. */
export const OTA_FILE_IDENTIFIER = 0x0beef11e;
/** The only header version defined by the Zigbee OTA cluster specification. */
export const OTA_HEADER_VERSION = 0x0100;
/** Zigbee PRO, what the published sample carries. */
export const DEFAULT_STACK_VERSION = 0x0002;
export const HEADER_STRING_LENGTH = 32;
/** Header without optional fields. */
export const BASE_HEADER_LENGTH = 56;

export const FIELD_CONTROL_SECURITY_CREDENTIAL = 0x0001;
export const FIELD_CONTROL_DESTINATION = 0x0002;
export const FIELD_CONTROL_HARDWARE_VERSIONS = 0x0004;
export const FIELD_CONTROL_KNOWN_BITS = 0x0007;

/** ECDSA P-256 r||s (IEEE P1363). */
export const SIGNATURE_LENGTH = 64;
export const DEFAULT_MAX_IMAGE_SIZE = 16 * 1024 * 1024;

/** Sub-element: tag u16 + length u32. */
export const SUB_ELEMENT_HEADER_LENGTH = 6;
export const TAG_UPGRADE_IMAGE = 0x0000;
/** Manufacturer-specific: u16 count, then u32 file versions this image may upgrade. */
export const TAG_UPGRADEABLE_FROM = 0xf100;
/** Manufacturer-specific: first 8 bytes of SHA-256 of the signer's SPKI DER public key. */
export const TAG_SIGNER_KEY_ID = 0xf101;
export const KEY_ID_LENGTH = 8;

/** Header length implied by the field control bits. */
export function headerLengthFor(fieldControl: number): number {
  return (
    BASE_HEADER_LENGTH +
    (fieldControl & FIELD_CONTROL_SECURITY_CREDENTIAL ? 1 : 0) +
    (fieldControl & FIELD_CONTROL_DESTINATION ? 8 : 0) +
    (fieldControl & FIELD_CONTROL_HARDWARE_VERSIONS ? 4 : 0)
  );
}
