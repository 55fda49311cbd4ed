export { parseDeviceId, isDeviceId, isCanonicalDeviceId, deviceIdToBytes, deviceIdFromBytes } from './deviceId.ts';
export { ssccCheckDigit, validateSscc, isValidSscc, makeSscc } from './sscc.ts';
export {
  parseFirmwareVersion,
  formatFirmwareVersion,
  formatFirmwareVersionDotted,
  isFirmwareVersionNumber,
} from './firmwareVersion.ts';
export { parseFirmwareHash, isFirmwareHash } from './firmwareHash.ts';
export { newResultId } from './resultId.ts';
