import type { Logger } from 'pino';
import { encodeAck, rigCommandTopic, type ErrorSummary, type ResultMessage } from '../../protocol/mqtt/index.ts';
import type { AuditLog } from '../audit/AuditLog.ts';
import type { Catalogue, FirmwareEntry } from '../domain/catalogue/Catalogue.ts';
import type { HubRecord } from '../domain/inventory/hub.ts';
import { accumulateChange, type HubChange, type Inventory } from '../domain/inventory/Inventory.ts';
import { decideResult } from '../domain/results/applyResult.ts';
import type { ServerHooks } from '../hooks.ts';
import { prefixRange, readRange, type BatchOp, type Store } from '../storage/Store.ts';
import type { IngestStats } from './IngestStats.ts';
import { decodeStoredResult, encodeStoredResult, pendingKey, PENDING_PREFIX, refusalKey, resultKey, type StoredResult } from './resultKeys.ts';

interface Incoming {
  rigId: string;
  result: ResultMessage;
  /** The payload as received (validated into `result`), stored as is. */
  raw: string;
  receivedAt: string;
}

interface StoredGroup {
  group: Incoming[];
  fresh: Incoming[];
  /** Which rig each result ID was first stored from. */
  owner: Map<string, string>;
}

export interface ResultIngestDeps {
  store: Store;
  inventory: Inventory;
  catalogue: Catalogue;
  audit: AuditLog;
  hooks: ServerHooks;
  stats: IngestStats;
  log: Logger;
  maxGroupSize: number;
  publish(topic: string, payload: Buffer): Promise<void>;
  /** Told when a rig's result for a hub arrives (it ends "flashing now"). */
  finished(rigId: string, chfId: string): void;
}

/**
 * Durable results with group commit. Results queue up while a group is being written; each
 * group goes, in order: 1. every new result written to LevelDB, synced (with its audit entry);
 * 2. applied to the inventory exactly once (the pending marker goes in the same batch);
 * 3. only then acknowledged to each rig, one ack per rig naming all its results in the group.
 * A result already stored is acknowledged again (after its first copy is applied) and changes
 * nothing.
 */
export class ResultIngest {
  private queue: Incoming[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly d: ResultIngestDeps) {}

  /** Queues a validated result; `raw` is the payload it was decoded from (default: re-encoded). */
  submit(rigId: string, result: ResultMessage, raw: string = JSON.stringify(result)): void {
    this.queue.push({ rigId, result, raw, receivedAt: new Date().toISOString() });
    this.running ??= this.drain();
  }

  /** Resolves when everything submitted so far is processed. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Two stages, pipelined: while group k is applied and acknowledged (in order, one group at a
   * time), group k+1 is already being written. At most two groups wait to be applied.
   */
  private async drain(): Promise<void> {
    let applying: Promise<void> = Promise.resolve();
    const waiting: Array<Promise<void>> = [];
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.d.maxGroupSize);
        const stored = this.store(group);
        applying = Promise.all([applying, stored]).then(([, s]) => this.applyAndAcknowledge(s));
        const done = applying.catch((err: unknown) => {
          // Nothing in the group is acknowledged; the rigs re-send and it is tried again.
          this.d.log.error({ err, results: group.length }, 'storing a group of results failed');
        });
        waiting.push(done);
        await stored.catch(() => undefined);
        while (waiting.length > 2) await waiting.shift();
      }
      await Promise.all(waiting);
    } finally {
      this.running = undefined;
      if (this.queue.length > 0) this.running = this.drain();
    }
  }

  /** Stage 1: every result not seen before is written, synced, with its audit entry. */
  private async store(group: Incoming[]): Promise<StoredGroup> {
    const { store, stats } = this.d;
    stats.results.groups++;
    // A result seen twice in one group is a duplicate of its first copy.
    const firstCopies = new Map<string, Incoming>();
    for (const item of group) if (!firstCopies.has(item.result.resultId)) firstCopies.set(item.result.resultId, item);
    const ids = [...firstCopies.keys()];
    const stored = await store.getMany(ids.map(resultKey));
    const fresh: Incoming[] = [];
    const owner = new Map<string, string>();
    ids.forEach((id, i) => {
      const text = stored[i];
      if (text === undefined) fresh.push(firstCopies.get(id)!);
      else owner.set(id, (JSON.parse(text) as StoredResult).rigId);
    });
    for (const item of fresh) owner.set(item.result.resultId, item.rigId);
    if (fresh.length > 0) {
      const ops: BatchOp[] = fresh.flatMap((item) => [
        { type: 'put' as const, key: resultKey(item.result.resultId), value: encodeStoredResult(item.rigId, item.receivedAt, item.raw) },
        { type: 'put' as const, key: pendingKey(item.result.resultId), value: '' },
      ]);
      await Promise.all([store.batch(ops, { sync: true }), this.d.audit.append(auditEntries(fresh))]);
      stats.results.stored += fresh.length;
    }
    stats.results.duplicates += group.length - fresh.length;
    return { group, fresh, owner };
  }

  /** Stages 2 and 3: apply the new results, then acknowledge the whole group. */
  private async applyAndAcknowledge({ group, fresh, owner }: StoredGroup): Promise<void> {
    const refusals = fresh.length > 0 ? await this.apply(fresh) : new Map<string, ErrorSummary>();
    // Duplicates are acknowledged with the refusal their first copy got (applied by now).
    const freshIds = new Set(fresh.map((f) => f.result.resultId));
    const dupIds = [...new Set(group.map((g) => g.result.resultId).filter((id) => !freshIds.has(id)))];
    const dupRefusals = await this.d.store.getMany(dupIds.map(refusalKey));
    dupIds.forEach((id, i) => {
      const text = dupRefusals[i];
      if (text !== undefined) refusals.set(id, JSON.parse(text) as ErrorSummary);
    });
    await this.acknowledge(group, owner, refusals);
  }

  /** Applies stored results to the inventory; returns the refusals. */
  async apply(items: ReadonlyArray<{ rigId: string; result: ResultMessage }>): Promise<Map<string, ErrorSummary>> {
    const { inventory, catalogue, hooks } = this.d;
    return inventory.lock.run(async () => {
      const at = new Date().toISOString();
      const chfIds = [...new Set(items.map((i) => i.result.hub.chfId))];
      const hubs = new Map<string, HubRecord | undefined>((await inventory.getMany(chfIds)).map((h, i) => [chfIds[i]!, h]));
      const images = new Map<string, FirmwareEntry | undefined>();
      for (const hash of new Set(items.map((i) => i.result.imageHash).filter((h): h is string => h !== undefined))) {
        images.set(hash, await catalogue.find(hash));
      }
      const changes = new Map<string, HubChange>();
      const tx = { ops: [] as BatchOp[] };
      const refusals = new Map<string, ErrorSummary>();
      for (const { rigId, result } of items) {
        const before = hubs.get(result.hub.chfId);
        const image = result.imageHash ? images.get(result.imageHash) : undefined;
        const { change, refused } = decideResult(before, result, image, at);
        tx.ops.push({ type: 'del', key: pendingKey(result.resultId) });
        if (refused) {
          refusals.set(result.resultId, refused);
          tx.ops.push({ type: 'put', key: refusalKey(result.resultId), value: JSON.stringify(refused) });
        }
        // Hooks run before the change is accumulated, so what they add to `after` and `events` is kept.
        for (const hook of hooks.resultApplied) {
          await hook({ rigId, result, ...(before ? { before } : {}), after: change.after, events: change.events, ...(refused ? { refused } : {}) }, tx);
        }
        accumulateChange(changes, change);
        hubs.set(result.hub.chfId, change.after);
      }
      // Not synced: if this is lost, the pending markers (synced above) bring it back on restart.
      await inventory.commit([...changes.values()], tx.ops);
      this.d.stats.results.refused += refusals.size;
      for (const { rigId, result } of items) this.d.finished(rigId, result.hub.chfId);
      return refusals;
    });
  }

  private async acknowledge(group: Incoming[], owner: Map<string, string>, refusals: Map<string, ErrorSummary>): Promise<void> {
    const byRig = new Map<string, Set<string>>();
    for (const { rigId, result } of group) {
      // A result ID first stored from another rig is not this rig's to acknowledge.
      if (owner.get(result.resultId) !== rigId) {
        this.d.log.warn({ rigId, resultId: result.resultId, storedFrom: owner.get(result.resultId) }, 'result ID already used by another rig; not acknowledged');
        continue;
      }
      let ids = byRig.get(rigId);
      if (!ids) byRig.set(rigId, (ids = new Set()));
      ids.add(result.resultId);
    }
    const at = new Date().toISOString();
    await Promise.all(
      [...byRig].map(async ([rigId, ids]) => {
        const resultIds = [...ids];
        const refused = resultIds.filter((id) => refusals.has(id)).map((resultId) => ({ resultId, error: refusals.get(resultId)! }));
        const payload = encodeAck({ v: 1, resultIds, ...(refused.length ? { refused } : {}), at });
        await this.d.publish(rigCommandTopic(rigId, 'ack'), payload);
        this.d.stats.results.acknowledged += resultIds.length;
      }),
    );
  }

  /**
   * After a restart: applies results that were stored but whose application was lost. They are
   * acknowledged when their rigs re-send them (as duplicates).
   */
  async recover(): Promise<number> {
    const pending = await readRange(this.d.store, prefixRange(PENDING_PREFIX));
    const ids = pending.map(([k]) => k.slice(PENDING_PREFIX.length));
    const texts = await this.d.store.getMany(ids.map(resultKey));
    const items = texts.filter((t): t is string => t !== undefined).map(decodeStoredResult);
    if (items.length > 0) await this.apply(items);
    return items.length;
  }
}

function auditEntries(fresh: Incoming[]): Array<{ actor: string; action: string; details: Record<string, unknown> }> {
  const byRig = new Map<string, string[]>();
  for (const { rigId, result } of fresh) {
    const ids = byRig.get(rigId);
    if (ids) ids.push(result.resultId);
    else byRig.set(rigId, [result.resultId]);
  }
  return [...byRig].map(([rigId, resultIds]) => ({ actor: `rig:${rigId}`, action: 'results.recorded', details: { resultIds } }));
}
