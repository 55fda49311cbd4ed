import { ErrorCode, formatErrorCode, HubflashError, isHubflashError } from '../../protocol/errors/index.ts';
import { formatFirmwareVersion } from '../../protocol/ids/index.ts';
import { SlotState, type IdentifyReply, type StatusReply } from '../../protocol/messages/index.ts';
import type { Checkpoint } from './checkpoint.ts';
import type { FlashImage } from './image.ts';

/** Decisions on what the hub reports, shared by the check and confirm phases. */

export function runsImage(hub: IdentifyReply, image: FlashImage): boolean {
  return hub.runningHash === image.sha256;
}

/** The staged slot holds every byte of this image (committed, maybe verified). */
export function stagedComplete(status: StatusReply, image: FlashImage): boolean {
  return (
    status.stagedHash === image.sha256 &&
    status.stagedSize === image.size &&
    (status.slotState === SlotState.Complete || status.slotState === SlotState.Verified)
  );
}

export function bootFailed(hub: IdentifyReply, image: FlashImage): HubflashError {
  return new HubflashError(
    ErrorCode.HubBootFailed,
    `Image ${image.versionText} failed to boot on hub ${hub.chfId}; the hub fell back to ${formatFirmwareVersion(hub.runningVersion)} and still works. Report the image; do not flash it again`,
    { chfId: hub.chfId, running: formatFirmwareVersion(hub.runningVersion), image: image.versionText },
  );
}

export function confirmMismatch(hub: { chfId: string; runningVersion: number; runningHash: string }, image: FlashImage, when: string): HubflashError {
  return new HubflashError(
    ErrorCode.ConfirmMismatch,
    `${when}, hub ${hub.chfId} runs ${formatFirmwareVersion(hub.runningVersion)} (${hub.runningHash.slice(0, 12)}…), not the image sent (${image.versionText}, ${image.sha256.slice(0, 12)}…); flash it again`,
    { chfId: hub.chfId, running: formatFirmwareVersion(hub.runningVersion), runningHash: hub.runningHash, image: image.versionText, imageHash: image.sha256 },
  );
}

export function otherTrial(hub: IdentifyReply): HubflashError {
  return new HubflashError(
    ErrorCode.DeviceBadState,
    `Hub ${hub.chfId} is running an unconfirmed image (${hub.runningHash.slice(0, 12)}…) from another flash; power-cycle it to fall back, then flash again`,
    { chfId: hub.chfId, runningHash: hub.runningHash },
  );
}

export function hubChanged(port: string, expected: string, found: string): HubflashError {
  return new HubflashError(ErrorCode.HubChanged, `Another hub answered on ${port}: expected ${expected}, found ${found}`, { port, expected, found });
}

export function verifyMismatch(chfId: string | undefined, reply: { sha256: string; size: number }, image: FlashImage): HubflashError {
  return new HubflashError(
    ErrorCode.VerifyHashMismatch,
    `Hub ${chfId} read back ${reply.size} bytes hashing ${reply.sha256.slice(0, 12)}…, not the image's ${image.sha256.slice(0, 12)}…; the staged copy was discarded`,
    { chfId, readBack: reply.sha256, readBackSize: reply.size, imageHash: image.sha256 },
  );
}

export function lostTooOften(chfId: string | undefined, times: number): HubflashError {
  return new HubflashError(ErrorCode.ConfirmMismatch, `Hub ${chfId} lost the new image ${times} times before confirming it (power cuts during the reboot); flash it again`, { chfId });
}

export function portGone(port: string, chfId: string, committedOffset: number, cause: unknown): HubflashError {
  return new HubflashError(ErrorCode.LinkClosed, `${port} is gone: the hub was unplugged or moved to another port`, { port, chfId, committedOffset }, { cause });
}

/** What a session's own failures look like to the rest of the agent: always a HubflashError. */
export function asHubflashError(err: unknown, port: string): HubflashError {
  if (isHubflashError(err)) return err;
  return new HubflashError(ErrorCode.DeviceUnexpectedReply, `${port}: ${err instanceof Error ? err.message : String(err)}`, { port }, { cause: err });
}

const INELIGIBLE = new Set<ErrorCode>([
  ErrorCode.HubWrongManufacturer,
  ErrorCode.HubWrongImageType,
  ErrorCode.HubHardwareOutOfRange,
  ErrorCode.HubDowngrade,
  ErrorCode.HubNotUpgradeableFrom,
  ErrorCode.HubInstalled,
]);

/** A failure that says the hub may not take this image (not that the flash went wrong). */
export const isIneligibility = (error: HubflashError): boolean => INELIGIBLE.has(error.code);

/**
 * The hub's offsets and staged hash win over the journal; when they disagree, what to log
 * (HF0505), else undefined.
 */
export function journalDisagreement(saved: Checkpoint | undefined, status: StatusReply, image: FlashImage): Record<string, unknown> | undefined {
  if (!saved || saved.committedOffset === 0) return undefined;
  if (status.stagedHash === image.sha256 && status.committedOffset >= saved.committedOffset) return undefined;
  return {
    chfId: saved.chfId,
    code: formatErrorCode(ErrorCode.JournalDisagrees),
    journal: { imageHash: saved.imageHash, committedOffset: saved.committedOffset },
    hub: { stagedHash: status.stagedHash, committedOffset: status.committedOffset, slotState: SlotState[status.slotState] },
  };
}
