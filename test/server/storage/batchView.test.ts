import { describe, expect, it } from 'vitest';
import { BatchView } from '../../../server/storage/BatchView.ts';
import { MemoryStore } from '../../../server/storage/MemoryStore.ts';
import type { Store } from '../../../server/storage/Store.ts';

/** A MemoryStore that counts the reads that reach it. */
function countingStore(): { store: Store; reads: string[][] } {
  const inner = new MemoryStore();
  const reads: string[][] = [];
  const store: Store = {
    get: (k) => (reads.push([k]), inner.get(k)),
    getMany: (keys) => (reads.push([...keys]), inner.getMany(keys)),
    batch: (ops, o) => inner.batch(ops, o),
    iterator: (r) => inner.iterator(r),
    close: () => inner.close(),
  };
  return { store, reads };
}

describe('BatchView', () => {
  it('reads prefetched keys from memory, in one getMany for the group', async () => {
    const { store, reads } = countingStore();
    await store.batch([{ type: 'put', key: 'a', value: '1' }, { type: 'put', key: 'b', value: '2' }]);
    const view = new BatchView(store);
    await view.prefetch(['a', 'b', 'c', 'a']);
    expect(reads).toEqual([['a', 'b', 'c']]);
    expect(await view.getMany(['b', 'a', 'c'])).toEqual(['2', '1', undefined]);
    expect(await view.get('a')).toBe('1');
    expect(reads).toHaveLength(1);
    expect(await view.get('d')).toBeUndefined();
    expect(reads).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it("sees the batch's own puts and deletes over the Store, the last op of a key winning", async () => {
    const { store } = countingStore();
    await store.batch([{ type: 'put', key: 'a', value: 'stored' }, { type: 'put', key: 'b', value: 'stored' }]);
    const view = new BatchView(store);
    expect(await view.get('a')).toBe('stored');
    view.ops.push({ type: 'put', key: 'a', value: 'first' }, { type: 'del', key: 'b' }, { type: 'put', key: 'a', value: 'second' });
    expect(await view.getMany(['a', 'b'])).toEqual(['second', undefined]);
    view.ops.push({ type: 'put', key: 'b', value: 'back' });
    expect(await view.get('b')).toBe('back');
    expect(await store.get('a')).toBe('stored'); // nothing is written until the caller writes the ops
  });

  it('keeps a value written while its prefetch was in flight', async () => {
    const { store } = countingStore();
    await store.batch([{ type: 'put', key: 'a', value: 'stored' }]);
    const view = new BatchView(store);
    const reading = view.prefetch(['a']);
    view.ops.push({ type: 'put', key: 'a', value: 'written' });
    await reading;
    expect(await view.get('a')).toBe('written');
  });
});
