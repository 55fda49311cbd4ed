import { ErrorCode, formatErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import type { ErrorSummary, ResultMessage } from '../../../protocol/mqtt/index.ts';
import type { FirmwareEntry } from '../catalogue/Catalogue.ts';
import type { HubRecord } from '../inventory/hub.ts';
import type { HubChange } from '../inventory/Inventory.ts';
import { INSTALLED_STATUSES } from '../inventory/values.ts';

export interface ResultDecision {
  change: HubChange;
  /** Set when the result is stored but not applied to the hub's firmware. */
  refused?: ErrorSummary;
}

/**
 * What one result does to its hub. A verified or already-current result sets the hub's firmware
 * to the target (as verified on the device); a failed or ineligible one only adds to history.
 * Refused (history only): a hub the inventory shows installed, or a claimed image the catalogue
 * does not hold. A hub unknown to the inventory is added from what the rig read off it.
 * Superseded (history only): a result that finished before the one that set the hub's firmware
 * (a rig's outbox re-sending an old result late must not roll the firmware back).
 */
export function decideResult(before: HubRecord | undefined, result: ResultMessage, image: FirmwareEntry | undefined, at: string): ResultDecision {
  const h = result.hub;
  const after: HubRecord = before
    ? { ...before }
    : {
        chfId: h.chfId,
        gpfId: h.gpfId,
        manufacturerCode: h.manufacturerCode,
        model: h.model,
        hardwareVersion: h.hardwareVersion,
        hanVariant: h.hanVariant,
        custody: 'at-csp',
        updatedAt: at,
      };
  const refused = refusal(before, result, image);
  const landed = !refused && (result.outcome === 'verified' || result.outcome === 'already-current');
  const superseded = landed && isOlder(result.finishedAt, before);
  if (landed && !superseded) {
    after.firmwareVersion = result.to.version;
    after.firmwareHash = result.to.hash;
    after.firmwareSource = 'rig';
    after.firmwareReportedAt = result.finishedAt;
  }
  // Fill in what the SMI snapshot did not say, from the device itself.
  after.gpfId ??= h.gpfId;
  after.manufacturerCode ??= h.manufacturerCode;
  after.model ??= h.model;
  after.hardwareVersion ??= h.hardwareVersion;
  after.hanVariant ??= h.hanVariant;
  after.updatedAt = at;
  // The whole result is stored under its ID (GET /results/{id}); the history keeps the gist.
  const details: Record<string, unknown> = { resultId: result.resultId, outcome: result.outcome, from: result.from.version, to: result.to.version };
  if (result.error) details.error = result.error.code;
  if (result.orderId) details.orderId = result.orderId;
  if (result.jobId) details.jobId = result.jobId;
  if (refused) details.refused = refused.code;
  if (superseded) details.superseded = true;
  details.finishedAt = result.finishedAt;
  const change: HubChange = { after, events: [{ type: 'result', at, by: `rig:${result.rigId}`, details }] };
  if (before) change.before = before;
  return refused ? { change, refused } : { change };
}

/** The hub's firmware was set by a rig result that finished after `finishedAt`. */
function isOlder(finishedAt: string, before: HubRecord | undefined): boolean {
  if (before?.firmwareSource !== 'rig' || before.firmwareReportedAt === undefined) return false;
  return Date.parse(finishedAt) < Date.parse(before.firmwareReportedAt);
}

function refusal(before: HubRecord | undefined, result: ResultMessage, image: FirmwareEntry | undefined): ErrorSummary | undefined {
  if (before?.smiStatus && INSTALLED_STATUSES.includes(before.smiStatus)) {
    return summary(ErrorCode.ResultHubInstalled, `Hub ${before.chfId} is ${before.smiStatus} in the inventory and must not be flashed: a reconciliation exception`);
  }
  if (result.outcome === 'verified') {
    if (!image) return summary(ErrorCode.ResultUnknownImage, `Image ${result.imageHash} is not in the firmware catalogue`);
    if (image.sha256 !== result.to.hash || image.fileVersion !== result.to.version) {
      return summary(ErrorCode.ResultUnknownImage, `The image sent (${image.sha256}, version ${image.fileVersion}) is not the target the result claims (${result.to.hash}, ${result.to.version})`);
    }
  }
  return undefined;
}

function summary(code: ErrorCode, message: string): ErrorSummary {
  const err = new HubflashError(code, message);
  return { code: formatErrorCode(code), name: err.codeName, message: err.message };
}
