import { ErrorCode, HubflashError, isHubflashError } from '../../protocol/errors/index.ts';
import { parseDeviceId } from '../../protocol/ids/index.ts';
import { HanVariant, InstallState, type IdentifyReply } from '../../protocol/messages/index.ts';

/** Who a simulated hub says it is (IDENTIFY) and what its bootloader checks images against. */
export type HubIdentity = Pick<
  IdentifyReply,
  'chfId' | 'gpfId' | 'manufacturerCode' | 'manufacturer' | 'model' | 'hardwareVersion' | 'imageType' | 'hanVariant' | 'installState'
>;

export const TEST_MANUFACTURER_CODE = 0x121d;
export const TEST_IMAGE_TYPE = 0x0001;
export const TEST_HARDWARE_VERSION = 0x0100;

const octet = (v: number): string => (v & 0xff).toString(16).toUpperCase().padStart(2, '0');

/** Deterministic, distinct identities: hub i always gets the same device IDs. */
export function makeTestIdentity(i: number): HubIdentity {
  const tail = [i >>> 16, i >>> 8, i].map(octet).join('-');
  return {
    chfId: `00-DB-12-5A-00-${tail}`,
    gpfId: `00-DB-12-5B-00-${tail}`,
    manufacturerCode: TEST_MANUFACTURER_CODE,
    manufacturer: 'Simulated Hubs Ltd',
    model: 'SIM-CH-1',
    hardwareVersion: TEST_HARDWARE_VERSION,
    imageType: TEST_IMAGE_TYPE,
    hanVariant: i % 2 === 0 ? HanVariant.SingleBand : HanVariant.DualBand,
    installState: InstallState.NotInstalled,
  };
}

/** Fills in and checks an identity; throws SimInvalidOption naming the bad field. */
export function resolveIdentity(partial: Partial<HubIdentity> | undefined, fallback: HubIdentity): HubIdentity {
  const id = { ...fallback, ...partial };
  try {
    id.chfId = parseDeviceId(id.chfId);
    id.gpfId = parseDeviceId(id.gpfId);
  } catch (err) {
    if (isHubflashError(err)) throw invalid(`identity: ${err.message}`);
    throw err;
  }
  for (const field of ['manufacturerCode', 'hardwareVersion', 'imageType'] as const) {
    const v = id[field];
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw invalid(`identity.${field} must be 0 to 0xFFFF, got ${String(v)}`);
  }
  if (!(id.hanVariant in HanVariant)) throw invalid(`identity.hanVariant must be 1 (Single Band) or 2 (Dual Band), got ${String(id.hanVariant)}`);
  if (!(id.installState in InstallState)) throw invalid(`identity.installState must be 0, 1 or 2, got ${String(id.installState)}`);
  for (const field of ['manufacturer', 'model'] as const) {
    if (typeof id[field] !== 'string' || Buffer.byteLength(id[field]) > 255) throw invalid(`identity.${field} must be text of at most 255 bytes`);
  }
  return id;
}

/** What a hub with a corrupted identity block reports: every field implausible. */
export function nonsenseIdentity(): HubIdentity {
  return {
    chfId: 'FF-FF-FF-FF-FF-FF-FF-FF',
    gpfId: 'FF-FF-FF-FF-FF-FF-FF-FF',
    manufacturerCode: 0xffff,
    manufacturer: '\u0000\u0007\ufffd',
    model: '',
    hardwareVersion: 0xffff,
    imageType: 0xffff,
    hanVariant: 0 as HanVariant,
    installState: 7 as InstallState,
  };
}

function invalid(message: string): HubflashError {
  return new HubflashError(ErrorCode.SimInvalidOption, message);
}
