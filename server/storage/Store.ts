/**
 * The server's storage seam: an ordered key-value store with atomic batches, in the spirit of
 * aedes-persistence. Keys and values are strings; keys sort by UTF-16 code unit (for the ASCII
 * and `\x00`-separated keys we use, the same as byte order). Every implementation must pass
 * the abstract suite in test/server/storage/abstractStore.ts.
 */

export type BatchOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

export interface Range {
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  reverse?: boolean;
  /** At most this many entries; default unlimited. */
  limit?: number;
}

export interface WriteOptions {
  /** Flush to disk (fsync) before resolving: the write survives a crash of the machine. */
  sync?: boolean;
}

/**
 * A cursor over a range. `seek` moves it to the first key ≥ target (≤ when reverse); a target
 * outside the range ends the iteration.
 */
export interface StoreIterator {
  next(): Promise<[key: string, value: string] | undefined>;
  /** Up to `size` entries; an empty array at the end. */
  nextv(size: number): Promise<Array<[key: string, value: string]>>;
  seek(target: string): void;
  close(): Promise<void>;
}

export interface Store {
  get(key: string): Promise<string | undefined>;
  /** Values in the order of `keys`; undefined where absent. */
  getMany(keys: readonly string[]): Promise<Array<string | undefined>>;
  /** All ops apply atomically, or none do. */
  batch(ops: readonly BatchOp[], options?: WriteOptions): Promise<void>;
  iterator(range?: Range): StoreIterator;
  close(): Promise<void>;
}

/** The key range of everything starting with `prefix`. */
export function prefixRange(prefix: string, extra: Omit<Range, 'gte' | 'lt' | 'gt' | 'lte'> = {}): Range {
  return { ...extra, gte: prefix, lt: `${prefix}\uffff` };
}

/** Reads a whole range (small ranges only: it holds them in memory). */
export async function readRange(store: Store, range: Range): Promise<Array<[string, string]>> {
  const it = store.iterator(range);
  try {
    const out: Array<[string, string]> = [];
    for (;;) {
      const chunk = await it.nextv(1000);
      if (chunk.length === 0) return out;
      out.push(...chunk);
    }
  } finally {
    await it.close();
  }
}
