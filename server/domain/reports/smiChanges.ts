import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import type { BatchOp, Store } from '../../storage/Store.ts';
import { SMI_CHANGE_PREFIX, smiChangeKey } from '../orders/keys.ts';
import { toCsv } from './csv.ts';

/**
 * A hub's firmware changed in the warehouse: what the SMI must be told. Written when a rig's
 * verified result is applied (once per result), keyed by time so `since` is a range scan.
 */
export interface SmiChange {
  chfId: string;
  gpfId?: string;
  before: { version: string; hash?: string };
  after: { version: string; hash: string };
  rigId: string;
  /** When the rig finished (the result's finishedAt). */
  at: string;
  resultId: string;
  orderId?: string;
}

export function putSmiChange(change: SmiChange): BatchOp {
  return { type: 'put', key: smiChangeKey(change.at, change.chfId, change.resultId), value: JSON.stringify(change) };
}

/** Every firmware change at or after `since` (and before `until`), oldest first. */
export async function listSmiChanges(store: Store, since: string, until?: string): Promise<SmiChange[]> {
  const from = instant(since, 'since');
  const to = until === undefined ? undefined : instant(until, 'until');
  const it = store.iterator({ gte: SMI_CHANGE_PREFIX + from, lt: to !== undefined ? SMI_CHANGE_PREFIX + to : `${SMI_CHANGE_PREFIX}\uffff` });
  const out: SmiChange[] = [];
  try {
    for (;;) {
      const chunk = await it.nextv(2000);
      if (chunk.length === 0) return out;
      for (const [, v] of chunk) out.push(JSON.parse(v) as SmiChange);
    }
  } finally {
    await it.close();
  }
}

export const SMI_CHANGE_COLUMNS = ['chfId', 'gpfId', 'beforeVersion', 'beforeHash', 'afterVersion', 'afterHash', 'rigId', 'at', 'orderId', 'resultId'] as const;

export function smiChangesToCsv(changes: readonly SmiChange[]): string {
  return toCsv(SMI_CHANGE_COLUMNS, changes, (c) => [c.chfId, c.gpfId, c.before.version, c.before.hash, c.after.version, c.after.hash, c.rigId, c.at, c.orderId, c.resultId]);
}

/** An ISO time (or a date, meaning its start in UTC) in the sortable form keys use. */
function instant(value: string, name: string): string {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(t)) throw new HubflashError(ErrorCode.ReportRangeInvalid, `--${name} ${JSON.stringify(value)} is not a date: give YYYY-MM-DD or an ISO 8601 time`, { [name]: value });
  return new Date(t).toISOString();
}
