import { ErrorCode, HubflashError } from '../errors/index.ts';
import { parseDeviceId } from '../ids/index.ts';
import {
  DEFAULT_MAX_IMAGE_SIZE,
  DEFAULT_STACK_VERSION,
  HEADER_STRING_LENGTH,
  SIGNATURE_LENGTH,
  TAG_SIGNER_KEY_ID,
  TAG_UPGRADE_IMAGE,
  TAG_UPGRADEABLE_FROM,
} from './constants.ts';
import { encodeHeader } from './header.ts';
import { keyIdOf, loadPrivateKey, type KeyInput } from './keys.ts';
import { signBytes } from './signature.ts';
import { encodeSubElements, encodeUpgradeableFrom } from './subElements.ts';
import type { ImageSpec, ParseImageOptions, SubElement } from './types.ts';

export const DEFAULT_HEADER_STRING = 'hubflash manufacturer image';

/**
 * Builds and signs a manufacturer image: header, sub-elements (payload 0x0000, upgradeable-from
 * 0xF100 when given, signer key ID 0xF101), then the signature over everything before it.
 */
export function buildImage(spec: ImageSpec, privateKey: KeyInput, opts: ParseImageOptions = {}): Uint8Array {
  checkSpec(spec);
  const key = loadPrivateKey(privateKey);
  const elements: SubElement[] = [{ tag: TAG_UPGRADE_IMAGE, value: spec.payload }];
  if (spec.upgradeableFrom !== undefined) {
    elements.push({ tag: TAG_UPGRADEABLE_FROM, value: encodeUpgradeableFrom(spec.upgradeableFrom) });
  }
  elements.push({ tag: TAG_SIGNER_KEY_ID, value: Buffer.from(keyIdOf(key), 'hex') });
  const upgradeImage = encodeSubElements(elements);

  const header = {
    manufacturerCode: spec.manufacturerCode,
    imageType: spec.imageType,
    fileVersion: spec.fileVersion,
    stackVersion: spec.stackVersion ?? DEFAULT_STACK_VERSION,
    headerString: spec.headerString ?? DEFAULT_HEADER_STRING,
    securityCredentialVersion: spec.securityCredentialVersion,
    upgradeFileDestination: spec.upgradeFileDestination === undefined ? undefined : parseDeviceId(spec.upgradeFileDestination),
    minHardwareVersion: spec.minHardwareVersion,
    maxHardwareVersion: spec.maxHardwareVersion,
    totalImageSize: 0,
  };
  const headerLength = encodeHeader(header).length;
  const total = headerLength + upgradeImage.length + SIGNATURE_LENGTH;
  const maxSize = opts.maxSize ?? DEFAULT_MAX_IMAGE_SIZE;
  if (total > maxSize) {
    throw new HubflashError(ErrorCode.ImageOversized, `Image would be ${total} bytes, over the limit of ${maxSize}`, { size: total, maxSize });
  }
  const out = new Uint8Array(total);
  out.set(encodeHeader({ ...header, totalImageSize: total }), 0);
  out.set(upgradeImage, headerLength);
  out.set(signBytes(out.subarray(0, total - SIGNATURE_LENGTH), key), total - SIGNATURE_LENGTH);
  return out;
}

function checkSpec(spec: ImageSpec): void {
  if (typeof spec !== 'object' || spec === null) throw badField('An image spec is needed', {});
  checkUint(spec.manufacturerCode, 0xffff, 'manufacturer code');
  checkUint(spec.imageType, 0xffff, 'image type');
  checkUint(spec.fileVersion, 0xffff_ffff, 'file version');
  if (spec.stackVersion !== undefined) checkUint(spec.stackVersion, 0xffff, 'stack version');
  if (spec.securityCredentialVersion !== undefined) checkUint(spec.securityCredentialVersion, 0xff, 'security credential version');
  if (spec.headerString !== undefined) checkHeaderString(spec.headerString);
  const { minHardwareVersion: min, maxHardwareVersion: max } = spec;
  if ((min === undefined) !== (max === undefined)) {
    throw badField('Give both the minimum and maximum hardware version, or neither', { min, max });
  }
  if (min !== undefined && max !== undefined) {
    checkUint(min, 0xffff, 'minimum hardware version');
    checkUint(max, 0xffff, 'maximum hardware version');
    if (min > max) throw badField(`Minimum hardware version ${min} is above the maximum ${max}`, { min, max });
  }
  if (spec.upgradeableFrom !== undefined) {
    if (!Array.isArray(spec.upgradeableFrom) || spec.upgradeableFrom.length > 0xffff) {
      throw badField('The upgradeable-from list must be a list of at most 65535 versions', {});
    }
    for (const v of spec.upgradeableFrom) checkUint(v, 0xffff_ffff, 'upgradeable-from version');
  }
  if (!(spec.payload instanceof Uint8Array)) throw badField('The firmware payload must be bytes', {});
}

function checkUint(v: unknown, max: number, what: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw badField(`The ${what} must be a whole number from 0 to 0x${max.toString(16).toUpperCase()}, got ${String(v)}`, { value: v });
  }
}

function checkHeaderString(s: unknown): void {
  if (typeof s !== 'string' || s.length > HEADER_STRING_LENGTH || !/^[\x20-\x7e]*$/.test(s)) {
    throw badField(`The header string must be at most ${HEADER_STRING_LENGTH} printable ASCII characters`, { value: s });
  }
}

function badField(message: string, context: Record<string, unknown>): HubflashError {
  return new HubflashError(ErrorCode.ImageBadField, message, context);
}
