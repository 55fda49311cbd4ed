import { isHardwareInRange, parseImage, verifyWithTrustedKeys, type ManufacturerImage } from '../../protocol/image/index.ts';
import { InstallState, RejectReason } from '../../protocol/messages/index.ts';
import type { HubFlash } from '../flash/hubFlash.ts';
import type { SettingsRecord } from '../flash/settings.ts';
import type { HubIdentity } from './identity.ts';

export interface ImageCheckContext {
  identity: HubIdentity;
  installState: InstallState;
  runningVersion: number;
  trustedKeys: readonly string[];
}

/**
 * ACTIVATE's checks, in the order docs/protocol.md gives them. `bytes` is the staged slot as read
 * back from flash. Returns the first reason to refuse, or the image's own file version (what the
 * hub will report running, whatever BEGIN claimed).
 */
export function checkStagedImage(
  bytes: Uint8Array,
  expectedHash: string,
  actualHash: string,
  ctx: ImageCheckContext,
): { reason: RejectReason } | { version: number } {
  if (actualHash !== expectedHash) return { reason: RejectReason.HashMismatch };
  let image: ManufacturerImage;
  try {
    image = parseImage(bytes);
  } catch {
    return { reason: RejectReason.Malformed };
  }
  try {
    verifyWithTrustedKeys(image, ctx.trustedKeys);
  } catch {
    return { reason: RejectReason.BadSignature };
  }
  const h = image.header;
  if (h.manufacturerCode !== ctx.identity.manufacturerCode) return { reason: RejectReason.WrongManufacturer };
  if (h.imageType !== ctx.identity.imageType) return { reason: RejectReason.WrongImageType };
  if (!isHardwareInRange(image, ctx.identity.hardwareVersion)) return { reason: RejectReason.HardwareOutOfRange };
  if (h.fileVersion <= ctx.runningVersion) return { reason: RejectReason.Downgrade };
  if (ctx.installState !== InstallState.NotInstalled) return { reason: RejectReason.Installed };
  return { version: h.fileVersion };
}

export interface BootResult {
  settings: SettingsRecord;
  /** Running the staged slot's image, unconfirmed. */
  trial: boolean;
  /** The slot booted and the image in it, as read from flash. */
  slot: 0 | 1;
  version: number;
  hash: string;
  /** The booted slot's bytes match the settings' record of them. */
  valid: boolean;
  bootFailed: boolean;
}

/**
 * The bootloader at reset. A pending activation is marked attempted before the new image runs,
 * so a reset or power cut before CONFIRM falls back; an image that fails to boot (or no longer
 * matches its hash) falls back at once with lastBootFailed. `write` is a counted settings write;
 * it returns false when power is cut during it, and then the boot stops (undefined).
 */
export function bootHub(flash: HubFlash, write: (r: SettingsRecord) => boolean, newImageFailsToBoot: () => boolean): BootResult | undefined {
  let s = flash.settings.current()!;
  const stagedSlot = (1 - s.runningSlot) as 0 | 1;
  let bootFailed = false;
  if (s.trial !== null && !s.trial.attempted && s.staged !== null) {
    const attempt: SettingsRecord = { ...s, trial: { attempted: true } };
    if (!write(attempt)) return undefined;
    s = attempt;
    const staged = s.staged!;
    const intact = flash.slots[stagedSlot].sha256(staged.size) === staged.hash;
    if (intact && !newImageFailsToBoot()) {
      return { settings: s, trial: true, slot: stagedSlot, version: staged.version, hash: staged.hash, valid: true, bootFailed: false };
    }
    bootFailed = true;
  }
  if (s.trial !== null) {
    const fallback: SettingsRecord = { ...s, trial: null, lastBootFailed: bootFailed || s.lastBootFailed };
    if (!write(fallback)) return undefined;
    s = fallback;
  }
  const hash = flash.slots[s.runningSlot].sha256(s.running.size);
  return { settings: s, trial: false, slot: s.runningSlot, version: s.running.version, hash, valid: hash === s.running.hash, bootFailed };
}
