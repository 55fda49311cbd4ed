import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { formatFirmwareVersion } from '../../protocol/ids/index.ts';
import { isHardwareInRange } from '../../protocol/image/index.ts';
import { InstallState, type IdentifyReply } from '../../protocol/messages/index.ts';
import type { FlashImage } from './image.ts';

const hex4 = (v: number): string => `0x${v.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * The host's checks before BEGIN (issue step 3), in order: installed, manufacturer, image type,
 * hardware range, downgrade, upgradeable-from. Returns the first that fails, or undefined.
 * An image without an upgradeable-from list puts no limit on the running version.
 */
export function checkEligibility(image: FlashImage, hub: IdentifyReply): HubflashError | undefined {
  const h = image.image.header;
  const ctx = { chfId: hub.chfId };
  if (hub.installState !== InstallState.NotInstalled) {
    return new HubflashError(ErrorCode.HubInstalled, `Hub ${hub.chfId} reports itself ${InstallState[hub.installState] ?? hub.installState}: an installed hub is never re-flashed`, {
      ...ctx,
      installState: InstallState[hub.installState] ?? hub.installState,
    });
  }
  if (h.manufacturerCode !== hub.manufacturerCode) {
    return new HubflashError(ErrorCode.HubWrongManufacturer, `The image is for manufacturer ${hex4(h.manufacturerCode)}, hub ${hub.chfId} is ${hex4(hub.manufacturerCode)} (${hub.manufacturer})`, {
      ...ctx,
      image: hex4(h.manufacturerCode),
      hub: hex4(hub.manufacturerCode),
    });
  }
  if (h.imageType !== hub.imageType) {
    return new HubflashError(ErrorCode.HubWrongImageType, `The image is of image type ${hex4(h.imageType)}, hub ${hub.chfId} (${hub.model}) takes ${hex4(hub.imageType)}`, {
      ...ctx,
      image: hex4(h.imageType),
      hub: hex4(hub.imageType),
    });
  }
  if (!isHardwareInRange(image.image, hub.hardwareVersion)) {
    return new HubflashError(
      ErrorCode.HubHardwareOutOfRange,
      `Hub ${hub.chfId} has hardware version ${hex4(hub.hardwareVersion)}, outside the image's ${hex4(h.minHardwareVersion ?? 0)}–${hex4(h.maxHardwareVersion ?? 0xffff)}`,
      { ...ctx, hardwareVersion: hex4(hub.hardwareVersion) },
    );
  }
  if (image.version <= hub.runningVersion) {
    return new HubflashError(ErrorCode.HubDowngrade, `Hub ${hub.chfId} runs ${formatFirmwareVersion(hub.runningVersion)}; the image's ${image.versionText} is not newer`, {
      ...ctx,
      running: formatFirmwareVersion(hub.runningVersion),
      image: image.versionText,
    });
  }
  const from = image.image.upgradeableFrom;
  if (from !== undefined && !from.includes(hub.runningVersion)) {
    return new HubflashError(
      ErrorCode.HubNotUpgradeableFrom,
      `Hub ${hub.chfId} runs ${formatFirmwareVersion(hub.runningVersion)}, which is not on the image's upgradeable-from list (${from.map(formatFirmwareVersion).join(', ') || 'empty'})`,
      { ...ctx, running: formatFirmwareVersion(hub.runningVersion), upgradeableFrom: from.map(formatFirmwareVersion) },
    );
  }
  return undefined;
}
