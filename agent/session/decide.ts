import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { formatFirmwareVersion } from '../../protocol/ids/index.ts';
import { SlotState, type IdentifyReply, type StatusReply } from '../../protocol/messages/index.ts';
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
