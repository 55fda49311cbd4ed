import type { Store, StoreIterator } from '../../storage/Store.ts';
import { prefixRange } from '../../storage/Store.ts';

/**
 * Walks one key prefix in order, a chunk at a time, exposing the key's suffix (a CHF ID) so
 * several sorted streams can be merged by ID without holding any of them in memory.
 */
export class PrefixCursor {
  private readonly it: StoreIterator;
  private buffer: Array<[string, string]> = [];
  private at = 0;
  private done = false;

  constructor(
    store: Store,
    private readonly prefix: string,
    private readonly chunk = 1000,
  ) {
    this.it = store.iterator(prefixRange(prefix));
  }

  /** The ID of the current entry, or undefined at the end. */
  async peek(): Promise<string | undefined> {
    if (this.at >= this.buffer.length) {
      if (this.done) return undefined;
      this.buffer = await this.it.nextv(this.chunk);
      this.at = 0;
      if (this.buffer.length === 0) {
        this.done = true;
        return undefined;
      }
    }
    return this.buffer[this.at]![0].slice(this.prefix.length);
  }

  /** The current entry's value, moving past it (call after peek returned an ID). */
  take(): string {
    return this.buffer[this.at++]![1];
  }

  close(): Promise<void> {
    return this.it.close();
  }
}
