import { ErrorCode, HubflashError } from '../errors/index.ts';
import { deviceIdFromBytes, deviceIdToBytes } from '../ids/index.ts';
import {
  FIELD_CONTROL_DESTINATION,
  FIELD_CONTROL_HARDWARE_VERSIONS,
  FIELD_CONTROL_KNOWN_BITS,
  FIELD_CONTROL_SECURITY_CREDENTIAL,
  HEADER_STRING_LENGTH,
  OTA_FILE_IDENTIFIER,
  OTA_HEADER_VERSION,
  headerLengthFor,
} from './constants.ts';
import type { OtaHeader } from './types.ts';

/** The header codec: little-endian fields at fixed offsets, then optional ones by field control. */
const hex = (v: number, digits: number): string => `0x${v.toString(16).toUpperCase().padStart(digits, '0')}`;

function truncated(have: number, need: number, what: string): HubflashError {
  return new HubflashError(
    ErrorCode.ImageTruncated,
    `Image is truncated: ${have} bytes, but the ${what} needs ${need}; the file was cut short, copy it again`,
    { have, need },
  );
}

function checkIdentifier(bytes: Uint8Array): void {
  const expected = [0x1e, 0xf1, 0xee, 0x0b];
  const n = Math.min(bytes.length, 4);
  for (let i = 0; i < n; i++) {
    if (bytes[i] !== expected[i]) {
      const got = Buffer.from(bytes.subarray(0, n)).toString('hex');
      throw new HubflashError(
        ErrorCode.ImageWrongIdentifier,
        `Not a manufacturer image: it does not start with the OTA file identifier 0x0BEEF11E (first bytes ${got || 'none'})`,
        { firstBytes: got },
      );
    }
  }
  if (bytes.length < 4) throw truncated(bytes.length, 4, 'file identifier');
}

/** Reads and checks the header; throws only HubflashError 2xx. */
export function decodeHeader(bytes: Uint8Array): OtaHeader {
  checkIdentifier(bytes);
  if (bytes.length < 10) throw truncated(bytes.length, 10, 'header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerVersion = view.getUint16(4, true);
  const headerLength = view.getUint16(6, true);
  const fieldControl = view.getUint16(8, true);
  if (headerVersion !== OTA_HEADER_VERSION) {
    throw new HubflashError(
      ErrorCode.ImageUnsupportedHeader,
      `Unsupported OTA header version ${hex(headerVersion, 4)}; only ${hex(OTA_HEADER_VERSION, 4)} is defined`,
      { headerVersion },
    );
  }
  if (fieldControl & ~FIELD_CONTROL_KNOWN_BITS) {
    throw new HubflashError(
      ErrorCode.ImageUnsupportedHeader,
      `Unsupported header field control ${hex(fieldControl, 4)}: only bits 0-2 are defined`,
      { fieldControl },
    );
  }
  const expectedLength = headerLengthFor(fieldControl);
  if (headerLength !== expectedLength) {
    throw new HubflashError(
      ErrorCode.ImageInconsistentSizes,
      `Header length ${headerLength} does not match field control ${hex(fieldControl, 4)}, which needs ${expectedLength}`,
      { headerLength, fieldControl, expectedLength },
    );
  }
  if (bytes.length < headerLength) throw truncated(bytes.length, headerLength, 'header');

  const header: OtaHeader = {
    fileIdentifier: OTA_FILE_IDENTIFIER,
    headerVersion,
    headerLength,
    fieldControl,
    manufacturerCode: view.getUint16(10, true),
    imageType: view.getUint16(12, true),
    fileVersion: view.getUint32(14, true),
    stackVersion: view.getUint16(18, true),
    headerString: decodeHeaderString(bytes.subarray(20, 20 + HEADER_STRING_LENGTH)),
    totalImageSize: view.getUint32(52, true),
  };
  let at = 56;
  if (fieldControl & FIELD_CONTROL_SECURITY_CREDENTIAL) {
    header.securityCredentialVersion = view.getUint8(at);
    at += 1;
  }
  if (fieldControl & FIELD_CONTROL_DESTINATION) {
    // Zigbee writes IEEE addresses least significant octet first.
    header.upgradeFileDestination = deviceIdFromBytes(Uint8Array.from(bytes.subarray(at, at + 8)).reverse());
    at += 8;
  }
  if (fieldControl & FIELD_CONTROL_HARDWARE_VERSIONS) {
    header.minHardwareVersion = view.getUint16(at, true);
    header.maxHardwareVersion = view.getUint16(at + 2, true);
    if (header.minHardwareVersion > header.maxHardwareVersion) {
      throw new HubflashError(
        ErrorCode.ImageBadField,
        `Hardware version range is empty: minimum ${hex(header.minHardwareVersion, 4)} is above maximum ${hex(header.maxHardwareVersion, 4)}`,
        { minHardwareVersion: header.minHardwareVersion, maxHardwareVersion: header.maxHardwareVersion },
      );
    }
  }
  return header;
}

/** NUL-terminated or NUL-padded; bytes read one to one (latin1) so nothing can fail to decode. */
function decodeHeaderString(field: Uint8Array): string {
  const end = field.indexOf(0);
  return Buffer.from(field.subarray(0, end < 0 ? field.length : end)).toString('latin1');
}

export type HeaderFields = Omit<OtaHeader, 'fileIdentifier' | 'headerVersion' | 'headerLength' | 'fieldControl'>;

/** Writes a header; field control and header length follow from which optional fields are set. */
export function encodeHeader(fields: HeaderFields): Uint8Array {
  const hasHardware = fields.minHardwareVersion !== undefined && fields.maxHardwareVersion !== undefined;
  const fieldControl =
    (fields.securityCredentialVersion !== undefined ? FIELD_CONTROL_SECURITY_CREDENTIAL : 0) |
    (fields.upgradeFileDestination !== undefined ? FIELD_CONTROL_DESTINATION : 0) |
    (hasHardware ? FIELD_CONTROL_HARDWARE_VERSIONS : 0);
  const headerLength = headerLengthFor(fieldControl);
  const out = Buffer.alloc(headerLength);
  out.writeUInt32LE(OTA_FILE_IDENTIFIER, 0);
  out.writeUInt16LE(OTA_HEADER_VERSION, 4);
  out.writeUInt16LE(headerLength, 6);
  out.writeUInt16LE(fieldControl, 8);
  out.writeUInt16LE(fields.manufacturerCode, 10);
  out.writeUInt16LE(fields.imageType, 12);
  out.writeUInt32LE(fields.fileVersion, 14);
  out.writeUInt16LE(fields.stackVersion, 18);
  out.write(fields.headerString, 20, HEADER_STRING_LENGTH, 'latin1');
  out.writeUInt32LE(fields.totalImageSize, 52);
  let at = 56;
  if (fields.securityCredentialVersion !== undefined) at = out.writeUInt8(fields.securityCredentialVersion, at);
  if (fields.upgradeFileDestination !== undefined) {
    out.set(deviceIdToBytes(fields.upgradeFileDestination).reverse(), at);
    at += 8;
  }
  if (fields.minHardwareVersion !== undefined && fields.maxHardwareVersion !== undefined) {
    at = out.writeUInt16LE(fields.minHardwareVersion, at);
    out.writeUInt16LE(fields.maxHardwareVersion, at);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
