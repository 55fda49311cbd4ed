import { encodeHub, HUB_FIELDS, type HubRecord } from '../inventory/hub.ts';
import type { HistoryEvent } from '../inventory/history.ts';
import type { HubChange } from '../inventory/Inventory.ts';
import type { Custody } from '../inventory/values.ts';
import type { SnapshotRow } from './rows.ts';

export interface MergeContext {
  at: string;
  by: string;
  /** Custody of a hub new to the inventory when the row gives none. */
  defaultCustody: Custody;
}

/** What the SMI is the authority for: everything but firmware (see below), custody and our timestamps. */
type SmiField = Exclude<(typeof HUB_FIELDS)[number], 'firmwareVersion' | 'firmwareHash' | 'firmwareSource' | 'custody' | 'updatedAt'>;
const SMI_FIELDS = HUB_FIELDS.filter((f): f is SmiField => !f.startsWith('firmware') && f !== 'custody' && f !== 'updatedAt');

/**
 * What an SMI snapshot row does to a hub. The SMI is the authority for its own attributes, but
 * not for firmware a rig has verified on the hub since: then a different SMI value is recorded
 * as a `firmware-mismatch` event (the SMI lags behind the warehouse) and the hub keeps the
 * verified firmware. Returns null when nothing changes.
 */
export function mergeSnapshot(before: HubRecord | undefined, row: SnapshotRow, ctx: MergeContext): HubChange | null {
  const after: HubRecord = before ? { ...before } : { chfId: row.chfId, custody: row.custody ?? ctx.defaultCustody, updatedAt: ctx.at };
  const events: HistoryEvent[] = [];
  for (const f of SMI_FIELDS) {
    if (row[f] !== undefined) (after as unknown as Record<string, unknown>)[f] = row[f];
  }
  if (row.firmwareVersion !== undefined) {
    const rigVerified = before?.firmwareSource === 'rig';
    if (rigVerified && row.firmwareVersion !== before.firmwareVersion) {
      events.push({ type: 'firmware-mismatch', at: ctx.at, by: ctx.by, details: { smi: row.firmwareVersion, verified: before.firmwareVersion } });
    } else if (!rigVerified) {
      if (row.firmwareVersion !== after.firmwareVersion) delete after.firmwareHash;
      after.firmwareVersion = row.firmwareVersion;
      if (row.firmwareHash !== undefined) after.firmwareHash = row.firmwareHash;
      after.firmwareSource = 'smi';
    }
  }
  if (before && row.custody !== undefined && row.custody !== before.custody) {
    after.custody = row.custody;
    events.push({ type: 'custody-change', at: ctx.at, by: ctx.by, details: { from: before.custody, to: row.custody } });
  }
  if (before && encodeHub(before) === encodeHub(after) && events.length === 0) return null;

  after.updatedAt = ctx.at;
  const changed = before ? changedFields(before, after) : undefined;
  events.unshift({ type: 'import', at: ctx.at, by: ctx.by, details: before ? { changed } : { created: true } });
  if (before && before.smiStatus !== after.smiStatus) {
    events.push({ type: 'status-change', at: ctx.at, by: ctx.by, details: { from: before.smiStatus ?? null, to: after.smiStatus ?? null } });
  }
  return { ...(before ? { before } : {}), after, events };
}

function changedFields(before: HubRecord, after: HubRecord): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  keys.delete('updatedAt');
  return [...keys].filter((k) => (before as unknown as Record<string, unknown>)[k] !== (after as unknown as Record<string, unknown>)[k]);
}
