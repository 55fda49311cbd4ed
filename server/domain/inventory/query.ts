import type { Store, StoreIterator } from '../../storage/Store.ts';
import { HUB_PREFIX, indexPrefix } from './keys.ts';
import { INDEXES, type IndexedField } from './indexes.ts';

export type HubFilter = Partial<Record<IndexedField, string>>;

export interface Matches {
  ids: string[];
  /** Set when the scan budget ran out before `limit` matches: resume after this ID. */
  resumeAfter?: string;
}

const CHUNK = 256;

/** Reads one index range in chunks, seeking only to jump past what it has buffered. */
class IndexCursor {
  private buffer: string[] = [];
  private at = 0;
  private done = false;
  scanned = 0;

  constructor(
    private readonly prefix: string,
    private readonly it: StoreIterator,
  ) {}

  /** The first ID ≥ target (or the current one when target is absent); undefined at the end. */
  async advanceTo(target?: string): Promise<string | undefined> {
    for (;;) {
      while (this.at < this.buffer.length) {
        const id = this.buffer[this.at]!;
        if (target === undefined || id >= target) return id;
        this.at++;
        this.scanned++;
      }
      if (this.done) return undefined;
      // Past the buffer: jump straight to the target rather than reading what lies between.
      if (target !== undefined && this.buffer.length > 0) this.it.seek(this.prefix + target);
      // A short chunk is not the end: LevelDB cuts a read at a number of bytes. Only an empty one is.
      const chunk = await this.it.nextv(CHUNK);
      this.buffer = chunk.map(([k]) => k.slice(this.prefix.length));
      this.at = 0;
      if (chunk.length === 0) this.done = true;
    }
  }

  skip(): void {
    this.at++;
    this.scanned++;
  }

  close(): Promise<void> {
    return this.it.close();
  }
}

/**
 * CHF IDs matching every filter, in ID order, after `cursor`: a leapfrog join over the
 * filters' index ranges (each sorted by CHF ID), each cursor jumping forward to the largest ID
 * another has reached. Work grows with the matches and the skips, never with the whole
 * inventory, and stops at `maxScan` index entries: then `resumeAfter` says where to go on.
 */
export async function matchingIds(store: Store, filter: HubFilter, limit: number, cursor?: string, maxScan = 100_000): Promise<Matches> {
  const prefixes = (Object.entries(filter) as Array<[IndexedField, string | undefined]>)
    .filter((e): e is [IndexedField, string] => e[1] !== undefined)
    .map(([field, value]) => indexPrefix(INDEXES[field].key, value));
  if (prefixes.length === 0) prefixes.push(HUB_PREFIX);
  const cursors = prefixes.map(
    (p) => new IndexCursor(p, store.iterator({ ...(cursor !== undefined ? { gt: p + cursor } : { gte: p }), lt: `${p}\uffff` })),
  );
  const ids: string[] = [];
  try {
    let candidate = await cursors[0]!.advanceTo();
    while (candidate !== undefined && ids.length < limit) {
      let agreed = true;
      for (const c of cursors) {
        const id = await c.advanceTo(candidate);
        if (id === undefined) return { ids };
        if (id !== candidate) {
          candidate = id;
          agreed = false;
          break;
        }
      }
      if (agreed) {
        ids.push(candidate);
        for (const c of cursors) c.skip();
        candidate = await cursors[0]!.advanceTo();
      }
      if (cursors.reduce((n, c) => n + c.scanned, 0) > maxScan && candidate !== undefined && ids.length < limit) {
        // Everything before the candidate is settled; it is not yet known to match.
        return { ids, resumeAfter: predecessor(candidate) };
      }
    }
    return { ids };
  } finally {
    await Promise.all(cursors.map((c) => c.close()));
  }
}

/** The device ID just before `id` (IDs are canonical EUI-64s, so they sort as numbers). */
function predecessor(id: string): string {
  const n = BigInt(`0x${id.replace(/-/g, '')}`);
  return (n === 0n ? 0n : n - 1n).toString(16).toUpperCase().padStart(16, '0').match(/../g)!.join('-');
}
