import { ErrorCode } from '../../../protocol/errors/index.ts';
import type { ErrorSummary, HanVariant, InstallStateName } from '../../../protocol/mqtt/index.ts';
import { parseFirmwareVersion, formatFirmwareVersion } from '../../../protocol/ids/index.ts';
import type { FirmwareEntry } from '../catalogue/Catalogue.ts';
import type { HubRecord } from '../inventory/hub.ts';
import { INSTALLED_STATUSES } from '../inventory/values.ts';
import type { OrderTarget } from './model.ts';
import { summary } from './summary.ts';

/** What a rig read from the hub when it asked for its job. */
export interface HubReading {
  gpfId?: string;
  manufacturerCode?: number;
  model?: string;
  hardwareVersion?: number;
  hanVariant?: HanVariant;
  imageType?: number;
  firmwareVersion?: string;
  firmwareHash?: string;
  installState?: InstallStateName;
}

export type Eligibility =
  | { eligible: true; image: FirmwareEntry; alreadyCurrent: boolean }
  | { eligible: false; reason: ErrorSummary };

export interface EligibilityInput {
  chfId: string;
  hub: HubRecord | undefined;
  targets: readonly OrderTarget[];
  /** The whole catalogue (it is small). */
  images: readonly FirmwareEntry[];
  /** Today's date in the UK, `YYYY-MM-DD`. */
  today: string;
  /** At job time: what the rig read. Its firmware version is then the one checked. */
  reading?: HubReading;
}

const no = (code: ErrorCode, message: string, context: Record<string, unknown>): Eligibility => ({ eligible: false, reason: summary(code, message, context) });

/**
 * The eligibility rules, in order: the hub is known; not installed; the rig's reading agrees
 * with the inventory; the order targets its model; an approved image of that target matches its
 * manufacturer and hardware version; the upgrade path is allowed (no downgrade, on the image's
 * upgradeable-from list when it has one); the image is within its installation end date.
 */
export function checkEligibility(input: EligibilityInput): Eligibility {
  const { chfId, hub, reading } = input;
  if (!hub) return no(ErrorCode.HubUnknown, `Hub ${chfId} is not in the inventory: import the SMI snapshot that lists it, or send the hub back`, { chfId });
  if (hub.smiStatus && INSTALLED_STATUSES.includes(hub.smiStatus)) {
    return no(ErrorCode.IneligibleInstalled, `Hub ${chfId} is ${hub.smiStatus} in the SMI: installed hubs are never re-flashed; check the hub and the SMI record`, { chfId, smiStatus: hub.smiStatus });
  }
  if (reading?.installState && reading.installState !== 'NotInstalled') {
    return no(ErrorCode.IneligibleInstalled, `Hub ${chfId} reports itself ${reading.installState} (the SMI has ${hub.smiStatus ?? 'no status'}): installed hubs are never re-flashed; set it aside and check the SMI record`, {
      chfId,
      installState: reading.installState,
      smiStatus: hub.smiStatus,
    });
  }
  if (reading) {
    const mismatch = readingMismatch(hub, reading);
    if (mismatch) return no(ErrorCode.HubReadingMismatch, `Hub ${chfId}: the rig read ${mismatch}; set the hub aside and reconcile it (hubflash reconcile)`, { chfId });
  }
  const model = hub.model ?? reading?.model;
  const target = input.targets.find((t) => t.model === model);
  if (!target) {
    const named = input.targets.map((t) => t.model).join(', ');
    return no(ErrorCode.NoTargetForModel, `Hub ${chfId} is model ${model ?? '(unknown)'}; the order names target firmware only for ${named}`, { chfId, model });
  }
  const wanted = target.imageHash !== undefined ? `image ${target.imageHash}` : `version ${target.firmwareVersion}`;
  const candidates = input.images.filter((img) => (target.imageHash !== undefined ? img.sha256 === target.imageHash : img.fileVersion === target.firmwareVersion));
  const approved = candidates.filter((img) => img.approved);
  if (approved.length === 0) {
    const why = candidates.length === 0 ? 'is not in the firmware catalogue' : 'is in the catalogue but not approved';
    return no(ErrorCode.IneligibleNoApprovedImage, `The target ${wanted} for model ${model} ${why}: add or approve it (hubflash firmware)`, { chfId, model });
  }
  const manufacturerCode = reading?.manufacturerCode ?? hub.manufacturerCode;
  const hardwareVersion = reading?.hardwareVersion ?? hub.hardwareVersion;
  const fits = approved.filter(
    (img) =>
      (manufacturerCode === undefined || img.manufacturerCode === manufacturerCode) &&
      (reading?.imageType === undefined || img.imageType === reading.imageType) &&
      (hardwareVersion === undefined || ((img.minHardwareVersion ?? 0) <= hardwareVersion && hardwareVersion <= (img.maxHardwareVersion ?? 0xffff))),
  );
  if (fits.length === 0) {
    const ranges = approved.map((img) => `manufacturer 0x${hex4(img.manufacturerCode)} hardware ${rangeText(img)}`).join('; ');
    return no(
      ErrorCode.IneligibleHardware,
      `Hub ${chfId} (manufacturer ${manufacturerCode === undefined ? '?' : `0x${hex4(manufacturerCode)}`}, hardware ${hardwareVersion === undefined ? '?' : `0x${hex4(hardwareVersion)}`}) does not fit the target ${wanted} (${ranges})`,
      { chfId },
    );
  }
  if (fits.length > 1) {
    return no(ErrorCode.IneligibleNoApprovedImage, `Several approved images match ${wanted} for hub ${chfId}: name the image's SHA-256 as the order's target for model ${model}`, { chfId, images: fits.map((f) => f.sha256) });
  }
  const image = fits[0]!;
  const current = reading?.firmwareVersion ?? hub.firmwareVersion;
  const alreadyCurrent = current === image.fileVersion;
  if (current !== undefined && !alreadyCurrent) {
    if (parseFirmwareVersion(current) > parseFirmwareVersion(image.fileVersion)) {
      return no(ErrorCode.IneligibleUpgradePath, `Hub ${chfId} runs ${current}, newer than the target ${image.fileVersion}: downgrades are refused`, { chfId, current, target: image.fileVersion });
    }
    if (image.upgradeableFrom && !image.upgradeableFrom.includes(current)) {
      return no(
        ErrorCode.IneligibleUpgradePath,
        `Hub ${chfId} runs ${current}; image ${image.fileVersion} may be installed only over ${image.upgradeableFrom.join(', ')}: choose an intermediate target`,
        { chfId, current, upgradeableFrom: image.upgradeableFrom },
      );
    }
  }
  if (image.installationEndDate !== undefined && image.installationEndDate < input.today) {
    return no(
      ErrorCode.IneligiblePastInstallationEnd,
      `The target ${image.fileVersion} for hub ${chfId} passed its installation end date ${image.installationEndDate}: choose a newer target`,
      { chfId, installationEndDate: image.installationEndDate },
    );
  }
  return { eligible: true, image, alreadyCurrent };
}

function readingMismatch(hub: HubRecord, r: HubReading): string | undefined {
  const checks: Array<[string, unknown, unknown]> = [
    ['GPF ID', hub.gpfId, r.gpfId],
    ['manufacturer code', hub.manufacturerCode, r.manufacturerCode],
    ['model', hub.model, r.model],
    ['hardware version', hub.hardwareVersion, r.hardwareVersion],
    ['HAN variant', hub.hanVariant, r.hanVariant],
  ];
  const diffs = checks.filter(([, inv, read]) => inv !== undefined && read !== undefined && inv !== read).map(([name, inv, read]) => `${name} ${String(read)} where the inventory has ${String(inv)}`);
  return diffs.length > 0 ? diffs.join(', ') : undefined;
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

function rangeText(img: FirmwareEntry): string {
  return `0x${hex4(img.minHardwareVersion ?? 0)}-0x${hex4(img.maxHardwareVersion ?? 0xffff)}`;
}

/** A target's version in the 8-hex-digit form the catalogue uses (dotted names accepted). */
export function normaliseTargetVersion(v: string): string {
  return formatFirmwareVersion(parseFirmwareVersion(v));
}
