import type { ErrorSummary, ResultMessage } from '../../protocol/mqtt/index.ts';
import type { AuditInput } from '../audit/entry.ts';
import type { FirmwareEntry } from '../domain/catalogue/Catalogue.ts';
import type { HubRecord } from '../domain/inventory/hub.ts';
import { accumulateChange, type HubChange } from '../domain/inventory/Inventory.ts';
import { decideResult } from '../domain/results/applyResult.ts';
import type { ResultAppliedEvent, ResultTransaction } from '../hooks.ts';
import { BatchView } from '../storage/BatchView.ts';
import type { BatchOp } from '../storage/Store.ts';
import type { ResultIngestDeps } from './ResultIngest.ts';
import { encodeStoredResult, pendingKey, refusalKey, resultKey } from './resultKeys.ts';

/** A result to apply; `raw` and `receivedAt` are needed only to store it. */
export interface Applicable {
  rigId: string;
  result: ResultMessage;
  raw?: string;
  receivedAt?: string;
}

type Deps = Pick<ResultIngestDeps, 'store' | 'inventory' | 'catalogue' | 'audit' | 'hooks' | 'stats' | 'finished'>;

/**
 * Applies new results to the inventory, with the hooks, in one batch synced to disk. Call inside
 * the inventory's lock. With `store`, each result is written in that same batch (as the rig sent
 * it) and audited beside it, so a result is stored if and only if it is applied. Without, the
 * results were stored by an older version with a pending marker, which the batch removes.
 * Reads once per group: the hubs, the images, and every key the hooks declared.
 */
export async function applyResults(d: Deps, items: readonly Applicable[], options: { store: boolean }): Promise<Map<string, ErrorSummary>> {
  const { inventory, catalogue, hooks } = d;
  const at = new Date().toISOString();
  // The hooks' writes, seen by their own reads; the core's own writes go beside them.
  const view = new BatchView(d.store);
  const tx: ResultTransaction = { ops: view.ops, get: (key) => view.get(key), getMany: (keys) => view.getMany(keys) };
  const ops: BatchOp[] = [];

  const chfIds = [...new Set(items.map((i) => i.result.hub.chfId))];
  const hashes = [...new Set(items.map((i) => i.result.imageHash).filter((h): h is string => h !== undefined))];
  const reads: string[] = [];
  for (const read of hooks.resultReads) for (const { result } of items) for (const key of read(result)) reads.push(key);
  const [records, entries] = await Promise.all([inventory.getMany(chfIds), Promise.all(hashes.map((h) => catalogue.find(h))), view.prefetch(reads)]);
  const hubs = new Map<string, HubRecord | undefined>(chfIds.map((id, i) => [id, records[i]]));
  const images = new Map<string, FirmwareEntry | undefined>(hashes.map((h, i) => [h, entries[i]]));

  const changes = new Map<string, HubChange>();
  const refusals = new Map<string, ErrorSummary>();
  for (const { rigId, result, raw, receivedAt } of items) {
    const id = result.resultId;
    if (options.store) ops.push({ type: 'put', key: resultKey(id), value: encodeStoredResult(rigId, receivedAt ?? at, raw ?? JSON.stringify(result)) });
    else ops.push({ type: 'del', key: pendingKey(id) });
    const before = hubs.get(result.hub.chfId);
    const { change, refused } = decideResult(before, result, result.imageHash ? images.get(result.imageHash) : undefined, at);
    if (refused) {
      refusals.set(id, refused);
      ops.push({ type: 'put', key: refusalKey(id), value: JSON.stringify(refused) });
    }
    // Hooks run before the change is accumulated, so what they add to `after` and `events` is kept.
    if (hooks.resultApplied.length > 0) {
      const event: ResultAppliedEvent = { rigId, result, after: change.after, events: change.events };
      if (before) event.before = before;
      if (refused) event.refused = refused;
      for (const hook of hooks.resultApplied) await hook(event, tx);
    }
    accumulateChange(changes, change);
    hubs.set(result.hub.chfId, change.after);
  }
  for (const op of view.ops) ops.push(op);
  await Promise.all([inventory.commit([...changes.values()], ops, { sync: true }), options.store ? d.audit.append(auditEntries(items)) : undefined]);
  d.stats.results.refused += refusals.size;
  for (const { rigId, result } of items) d.finished(rigId, result.hub.chfId);
  return refusals;
}

/** One `results.recorded` entry per rig, naming the rig's new results. */
function auditEntries(items: readonly Applicable[]): AuditInput[] {
  const byRig = new Map<string, string[]>();
  for (const { rigId, result } of items) {
    const ids = byRig.get(rigId);
    if (ids) ids.push(result.resultId);
    else byRig.set(rigId, [result.resultId]);
  }
  return [...byRig].map(([rigId, resultIds]) => ({ actor: `rig:${rigId}`, action: 'results.recorded', details: { resultIds } }));
}
