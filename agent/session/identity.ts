import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { formatFirmwareVersion } from '../../protocol/ids/index.ts';
import { HanVariant, InstallState, SlotState, type IdentifyReply } from '../../protocol/messages/index.ts';

/** What a result says about the hub: the fields the server reconciles. */
export interface HubInfo {
  chfId: string;
  gpfId: string;
  manufacturerCode: number;
  manufacturer: string;
  model: string;
  hardwareVersion: number;
  imageType: number;
  hanVariant: 'SingleBand' | 'DualBand';
  installState: keyof typeof InstallState;
  /** 8 hex digits. */
  runningVersion: string;
  runningHash: string;
}

export function hubInfo(reply: IdentifyReply): HubInfo {
  return {
    chfId: reply.chfId,
    gpfId: reply.gpfId,
    manufacturerCode: reply.manufacturerCode,
    manufacturer: reply.manufacturer,
    model: reply.model,
    hardwareVersion: reply.hardwareVersion,
    imageType: reply.imageType,
    hanVariant: reply.hanVariant === HanVariant.DualBand ? 'DualBand' : 'SingleBand',
    installState: InstallState[reply.installState] as keyof typeof InstallState,
    runningVersion: formatFirmwareVersion(reply.runningVersion),
    runningHash: reply.runningHash,
  };
}

const NO_ID = new Set(['00-00-00-00-00-00-00-00', 'FF-FF-FF-FF-FF-FF-FF-FF']);
// Printable text only: a name with control characters or replacement marks is line noise.
const PRINTABLE = /^[\p{L}\p{N}\p{P}\p{S} ]+$/u;

/**
 * Refuses an IDENTIFY reply that cannot describe a real hub, before anything is decided on it:
 * results must never attribute a flash to a made-up device.
 */
export function checkIdentity(reply: IdentifyReply, port: string): void {
  const problems: string[] = [];
  if (NO_ID.has(reply.chfId)) problems.push(`CHF ID ${reply.chfId} is not an assigned EUI-64`);
  if (NO_ID.has(reply.gpfId)) problems.push(`GPF ID ${reply.gpfId} is not an assigned EUI-64`);
  if (reply.chfId === reply.gpfId) problems.push('CHF and GPF IDs are the same');
  if (!PRINTABLE.test(reply.manufacturer)) problems.push(`manufacturer ${JSON.stringify(reply.manufacturer)} is not a name`);
  if (!PRINTABLE.test(reply.model)) problems.push(`model ${JSON.stringify(reply.model)} is not a name`);
  if (HanVariant[reply.hanVariant] === undefined) problems.push(`HAN variant ${reply.hanVariant} is unknown`);
  if (InstallState[reply.installState] === undefined) problems.push(`install state ${reply.installState} is unknown`);
  if (SlotState[reply.slotState] === undefined) problems.push(`slot state ${reply.slotState} is unknown`);
  if (reply.credits === 0) problems.push('it offers no receive buffers');
  if (problems.length === 0) return;
  throw new HubflashError(ErrorCode.HubIdentityInvalid, `The hub on ${port} identifies itself nonsensically: ${problems.join('; ')}. Set it aside as faulty`, {
    port,
    chfId: reply.chfId,
    problems,
  });
}
