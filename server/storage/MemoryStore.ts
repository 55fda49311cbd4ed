import type { BatchOp, Range, Store, StoreIterator, WriteOptions } from './Store.ts';

/**
 * The Store in memory: a sorted array with binary search. For tests and embedding; O(n) inserts,
 * so not for a million hubs. Iterators see the data as it is when they read (no snapshot).
 */
export class MemoryStore implements Store {
  private keys: string[] = [];
  private readonly values = new Map<string, string>();
  private closed = false;

  async get(key: string): Promise<string | undefined> {
    this.checkOpen();
    return this.values.get(key);
  }

  async getMany(keys: readonly string[]): Promise<Array<string | undefined>> {
    this.checkOpen();
    return keys.map((k) => this.values.get(k));
  }

  async batch(ops: readonly BatchOp[], _options?: WriteOptions): Promise<void> {
    this.checkOpen();
    for (const op of ops) {
      const at = this.lowerBound(op.key);
      const present = this.keys[at] === op.key;
      if (op.type === 'put') {
        if (!present) this.keys.splice(at, 0, op.key);
        this.values.set(op.key, op.value);
      } else if (present) {
        this.keys.splice(at, 1);
        this.values.delete(op.key);
      }
    }
  }

  iterator(range: Range = {}): StoreIterator {
    this.checkOpen();
    const reverse = range.reverse === true;
    const inRange = (k: string): boolean =>
      (range.gt === undefined || k > range.gt) &&
      (range.gte === undefined || k >= range.gte) &&
      (range.lt === undefined || k < range.lt) &&
      (range.lte === undefined || k <= range.lte);
    let remaining = range.limit ?? Infinity;
    if (remaining < 0) remaining = Infinity;
    // Position by key, not index, so writes between reads do not shift the cursor.
    let last: string | undefined;
    let target: string | undefined;
    const step = (): [string, string] | undefined => {
      if (remaining <= 0) return undefined;
      let i: number;
      if (!reverse) {
        i = target !== undefined ? this.lowerBound(target) : last !== undefined ? this.upperBound(last) : 0;
        while (i < this.keys.length && !inRange(this.keys[i]!) && this.beforeRange(this.keys[i]!, range)) i++;
      } else {
        i = target !== undefined ? this.upperBound(target) - 1 : last !== undefined ? this.lowerBound(last) - 1 : this.keys.length - 1;
        while (i >= 0 && !inRange(this.keys[i]!) && !this.beforeRange(this.keys[i]!, range)) i--;
      }
      target = undefined;
      const key = this.keys[i];
      if (key === undefined || !inRange(key)) {
        remaining = 0;
        return undefined;
      }
      last = key;
      remaining--;
      return [key, this.values.get(key)!];
    };
    return {
      next: async () => step(),
      nextv: async (size) => {
        const out: Array<[string, string]> = [];
        while (out.length < size) {
          const entry = step();
          if (!entry) break;
          out.push(entry);
        }
        return out;
      },
      seek: (t) => {
        target = t;
        last = undefined;
        if (!inRange(t)) remaining = 0;
      },
      close: async () => {
        remaining = 0;
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** True when `k` sorts below the range's lower bound. */
  private beforeRange(k: string, range: Range): boolean {
    return (range.gt !== undefined && k <= range.gt) || (range.gte !== undefined && k < range.gte);
  }

  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private upperBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('MemoryStore is closed');
  }
}
