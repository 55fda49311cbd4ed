import type { Logger } from 'pino';
import type { ErrorSummary, ResultMessage } from '../../protocol/mqtt/index.ts';
import type { AuditLog } from '../audit/AuditLog.ts';
import type { Catalogue } from '../domain/catalogue/Catalogue.ts';
import type { Inventory } from '../domain/inventory/Inventory.ts';
import type { ServerHooks } from '../hooks.ts';
import { prefixRange, readRange, type Store } from '../storage/Store.ts';
import { acknowledge } from './acknowledge.ts';
import type { IngestStats } from './IngestStats.ts';
import { applyResults, type Applicable } from './applyResults.ts';
import { decodeStoredResult, PENDING_PREFIX, refusalKey, resultKey, storedRigId } from './resultKeys.ts';

interface Incoming {
  rigId: string;
  result: ResultMessage;
  /** The payload as received (validated into `result`), stored as is. */
  raw: string;
  receivedAt: string;
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

let lastMs = 0;
let lastIso = '';
/** The time as ISO 8601, made once per millisecond (results arrive by the thousand). */
function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/**
 * Durable results with group commit. Results queue up while a group is being written; each
 * group, one at a time: 1. every new result is stored and applied to the inventory (with what
 * the hooks add) in one LevelDB batch, synced, its audit entry synced beside it; 2. only then
 * is it acknowledged, one ack per rig naming all its results in the group. A result already
 * stored is acknowledged again and changes nothing.
 */
export class ResultIngest {
  private queue: Incoming[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly d: ResultIngestDeps) {}

  /** Queues a validated result; `raw` is the payload it was decoded from (default: re-encoded). */
  submit(rigId: string, result: ResultMessage, raw: string = JSON.stringify(result), receivedAt: string = isoNow()): void {
    this.queue.push({ rigId, result, raw, receivedAt });
    this.running ??= this.drain();
  }

  /** Resolves when everything submitted so far is processed. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    const acks: Array<Promise<void>> = [];
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.d.maxGroupSize);
        try {
          const { owner, refusals } = await this.storeAndApply(group);
          // The next group is stored while this one's acks go out.
          acks.push(acknowledge(this.d, group, owner, refusals).catch((err: unknown) => this.d.log.error({ err }, 'acknowledging results failed')));
        } catch (err) {
          // Nothing in the group is stored or acknowledged; the rigs re-send and it is tried again.
          this.d.log.error({ err, results: group.length }, 'storing a group of results failed');
        }
      }
      await Promise.all(acks);
    } finally {
      this.running = undefined;
      if (this.queue.length > 0) this.running = this.drain();
    }
  }

  /** Inside the inventory's write lock: which results are new, and one synced batch for them. */
  private storeAndApply(group: Incoming[]): Promise<{ owner: Map<string, string>; refusals: Map<string, ErrorSummary> }> {
    const { store, stats } = this.d;
    stats.results.groups++;
    // A result seen twice in one group is a duplicate of its first copy.
    const firstCopies = new Map<string, Incoming>();
    for (const item of group) if (!firstCopies.has(item.result.resultId)) firstCopies.set(item.result.resultId, item);
    const items = [...firstCopies.values()];
    return this.d.inventory.lock.run(async () => {
      const stored = await store.getMany(items.map((i) => resultKey(i.result.resultId)));
      const fresh: Incoming[] = [];
      const owner = new Map<string, string>();
      const duplicates: string[] = [];
      items.forEach((item, i) => {
        const text = stored[i];
        if (text === undefined) {
          fresh.push(item);
          owner.set(item.result.resultId, item.rigId);
        } else {
          owner.set(item.result.resultId, storedRigId(text));
          duplicates.push(item.result.resultId);
        }
      });
      const refusals = fresh.length > 0 ? await applyResults(this.d, fresh, { store: true }) : new Map<string, ErrorSummary>();
      stats.results.stored += fresh.length;
      stats.results.duplicates += group.length - fresh.length;
      // Duplicates are acknowledged with the refusal their first copy got.
      const dupRefusals = duplicates.length > 0 ? await store.getMany(duplicates.map(refusalKey)) : [];
      duplicates.forEach((id, i) => {
        const text = dupRefusals[i];
        if (text !== undefined) refusals.set(id, JSON.parse(text) as ErrorSummary);
      });
      return { owner, refusals };
    });
  }

  /** Applies results already stored (see `recover`); returns the refusals. */
  apply(items: readonly Applicable[]): Promise<Map<string, ErrorSummary>> {
    return this.d.inventory.lock.run(() => applyResults(this.d, items, { store: false }));
  }

  /**
   * After a restart: applies results an older version stored with a pending marker but had not
   * applied when it stopped (this version stores and applies in one batch). They are
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
