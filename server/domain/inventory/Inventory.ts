import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import { parseDeviceId } from '../../../protocol/ids/index.ts';
import { prefixRange, readRange, type BatchOp, type Store } from '../../storage/Store.ts';
import { Mutex } from '../mutex.ts';
import { decodeHub, encodeHub, type HubRecord } from './hub.ts';
import { Sequencer, type HistoryEvent, type StoredHistoryEvent } from './history.ts';
import { deltaKey, INDEXED_FIELDS, indexOps, type CountDeltas, type IndexedField } from './indexes.ts';
import { COUNTER_PREFIX, counterKey, historyKey, historyPrefix, hubKey, SEP } from './keys.ts';
import { matchingIds, type HubFilter } from './query.ts';

/** A hub moving from `before` (absent when new) to `after`, with the events that explain it. */
export interface HubChange {
  before?: HubRecord;
  after: HubRecord;
  events: HistoryEvent[];
}

/**
 * Adds a change to a set of changes keyed by hub: a hub changed twice keeps its first `before`
 * and its last `after`, with all events in order.
 */
export function accumulateChange(changes: Map<string, HubChange>, change: HubChange): void {
  const id = change.after.chfId;
  const earlier = changes.get(id);
  changes.set(id, earlier ? { ...earlier, after: change.after, events: [...earlier.events, ...change.events] } : change);
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

const TOTAL = '_total';

/**
 * The hub inventory: records, indexes, counts and history in the Store. Reads are free; every
 * write goes through `lock` so a read-modify-write (an import batch, a group of results) sees
 * the records as the previous write left them.
 */
export class Inventory {
  readonly lock = new Mutex();
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly sequencer = new Sequencer(),
  ) {}

  /** Loads the counts (a few hundred keys). */
  async open(): Promise<void> {
    for (const [key, value] of await readRange(this.store, prefixRange(COUNTER_PREFIX))) {
      this.counts.set(key.slice(COUNTER_PREFIX.length), Number(value));
    }
  }

  async get(chfId: string): Promise<HubRecord | undefined> {
    const id = parseDeviceId(chfId);
    const text = await this.store.get(hubKey(id));
    return text === undefined ? undefined : decodeHub(id, text);
  }

  async require(chfId: string): Promise<HubRecord> {
    const hub = await this.get(chfId);
    if (!hub) throw new HubflashError(ErrorCode.DeviceNotFound, `No hub ${parseDeviceId(chfId)} in the inventory`, { chfId });
    return hub;
  }

  /** Records of canonical IDs, in order; undefined where absent. */
  async getMany(chfIds: readonly string[]): Promise<Array<HubRecord | undefined>> {
    const texts = await this.store.getMany(chfIds.map(hubKey));
    return texts.map((t, i) => (t === undefined ? undefined : decodeHub(chfIds[i]!, t)));
  }

  /**
   * Hubs matching all filters, in CHF ID order, from the indexes. A page may hold fewer than
   * `limit` hubs and still have a `nextCursor` (the scan budget ran out): follow it to the end.
   */
  async query(filter: HubFilter, limit = 100, cursor?: string): Promise<Page<HubRecord>> {
    const { ids, resumeAfter } = await matchingIds(this.store, filter, limit + 1, cursor);
    const page = ids.slice(0, limit);
    const hubs = (await this.getMany(page)).filter((h): h is HubRecord => h !== undefined);
    const nextCursor = ids.length > limit ? page[page.length - 1] : resumeAfter;
    return { items: hubs, ...(nextCursor !== undefined ? { nextCursor } : {}) };
  }

  async history(chfId: string, limit = 100, cursor?: string): Promise<Page<StoredHistoryEvent>> {
    const id = parseDeviceId(chfId);
    const prefix = historyPrefix(id);
    const range = cursor !== undefined ? { gt: prefix + cursor, lt: `${prefix}\uffff`, limit: limit + 1 } : prefixRange(prefix, { limit: limit + 1 });
    const rows = await readRange(this.store, range);
    const items = rows.slice(0, limit).map(([k, v]) => ({ seq: k.slice(prefix.length), ...(JSON.parse(v) as HistoryEvent) }));
    return { items, ...(rows.length > limit ? { nextCursor: items[items.length - 1]!.seq } : {}) };
  }

  /** How many hubs in total and per value of each indexed field. */
  stats(): { total: number; by: Record<IndexedField, Record<string, number>> } {
    const by = Object.fromEntries(INDEXED_FIELDS.map((f) => [f, {} as Record<string, number>])) as Record<IndexedField, Record<string, number>>;
    for (const [key, n] of this.counts) {
      const [field, value] = key.split(SEP) as [string, string];
      if (n > 0 && field in by) by[field as IndexedField][value] = n;
    }
    return { total: this.counts.get(deltaKey(TOTAL as IndexedField, '')) ?? 0, by };
  }

  /**
   * Writes changes atomically with `extraOps`. Call inside `lock.run`. Counts change in
   * memory only once the batch is stored.
   */
  async commit(changes: readonly HubChange[], extraOps: readonly BatchOp[] = [], options: { sync?: boolean } = {}): Promise<void> {
    const ops: BatchOp[] = [];
    const deltas: CountDeltas = new Map();
    for (const change of changes) {
      const id = change.after.chfId;
      ops.push({ type: 'put', key: hubKey(id), value: encodeHub(change.after) });
      indexOps(change.before, change.after, ops, deltas);
      if (!change.before) deltas.set(deltaKey(TOTAL as IndexedField, ''), (deltas.get(deltaKey(TOTAL as IndexedField, '')) ?? 0) + 1);
      for (const event of change.events) {
        ops.push({ type: 'put', key: historyKey(id, this.sequencer.next()), value: JSON.stringify(event) });
      }
    }
    const counted = [...deltas].filter(([, d]) => d !== 0).map(([k, d]) => [k, (this.counts.get(k) ?? 0) + d] as const);
    for (const [k, n] of counted) {
      const [field, value] = k.split(SEP) as [string, string];
      ops.push({ type: 'put', key: counterKey(field, value), value: String(n) });
    }
    for (const op of extraOps) ops.push(op);
    await this.store.batch(ops, options);
    for (const [k, n] of counted) this.counts.set(k, n);
  }

  /** Flushes every earlier write to disk (a synced empty batch syncs the log before it). */
  async sync(): Promise<void> {
    await this.store.batch([{ type: 'del', key: `${COUNTER_PREFIX}sync` }], { sync: true });
  }

  /** Appends events to hubs' histories without changing their records (e.g. a flash attempt). */
  async appendEvents(events: ReadonlyArray<{ chfId: string; event: HistoryEvent }>): Promise<void> {
    const ops: BatchOp[] = events.map(({ chfId, event }) => ({ type: 'put', key: historyKey(chfId, this.sequencer.next()), value: JSON.stringify(event) }));
    await this.store.batch(ops);
  }
}
