import type { BatchOp, Store } from './Store.ts';

/**
 * The Store as a batch being built will leave it: reads see the batch's own ops first (the last
 * put or del of a key wins), then values prefetched in one `getMany`, then the Store. Lets a
 * group of read-modify-writes (a group of results) read once and still see its own writes.
 */
export class BatchView {
  /** Keys whose value is known: prefetched, or written by `ops`. */
  private readonly known = new Map<string, string | undefined>();
  private seen = 0;

  constructor(
    private readonly store: Pick<Store, 'getMany'>,
    /** The batch being built; callers push to it, the view picks new ops up on the next read. */
    readonly ops: BatchOp[] = [],
  ) {}

  /** Reads every key not known yet in one `getMany`. */
  async prefetch(keys: Iterable<string>): Promise<void> {
    this.catchUp();
    const missing = [...new Set(keys)].filter((k) => !this.known.has(k));
    if (missing.length === 0) return;
    const values = await this.store.getMany(missing);
    // A key written while the read was in flight keeps its written value.
    this.catchUp();
    missing.forEach((k, i) => {
      if (!this.known.has(k)) this.known.set(k, values[i]);
    });
  }

  get(key: string): Promise<string | undefined> {
    return this.getMany([key]).then((values) => values[0]);
  }

  getMany(keys: readonly string[]): Promise<Array<string | undefined>> {
    return Promise.resolve(this.peek(keys) ?? this.prefetch(keys).then(() => this.peek(keys)!));
  }

  /** The values, when every key is known (no read needed); otherwise undefined. */
  peek(keys: readonly string[]): Array<string | undefined> | undefined {
    this.catchUp();
    const values: Array<string | undefined> = [];
    for (const k of keys) {
      if (!this.known.has(k)) return undefined;
      values.push(this.known.get(k));
    }
    return values;
  }

  private catchUp(): void {
    for (; this.seen < this.ops.length; this.seen++) {
      const op = this.ops[this.seen]!;
      this.known.set(op.key, op.type === 'put' ? op.value : undefined);
    }
  }
}
