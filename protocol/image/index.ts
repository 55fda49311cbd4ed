export type { OtaHeader, ManufacturerImage, ImageSpec, ParseImageOptions, SubElement, UpgradeImageFormat } from './types.ts';
export {
  OTA_FILE_IDENTIFIER,
  OTA_HEADER_VERSION,
  DEFAULT_MAX_IMAGE_SIZE,
  SIGNATURE_LENGTH,
  TAG_UPGRADE_IMAGE,
  TAG_UPGRADEABLE_FROM,
  TAG_SIGNER_KEY_ID,
} from './constants.ts';
export { decodeHeader, encodeHeader, type HeaderFields } from './header.ts';
export { decodeSubElements, encodeSubElements } from './subElements.ts';
export { parseImage } from './parse.ts';
export { buildImage, DEFAULT_HEADER_STRING } from './build.ts';
export { verifyImageSignature, verifyWithTrustedKeys } from './signature.ts';
export { generateManufacturerKeyPair, keyIdOf, loadPublicKey, loadPrivateKey, type KeyInput } from './keys.ts';
export { describeImage, isHardwareInRange, type ImageDescription } from './describe.ts';
export { parseImageField } from './fields.ts';
