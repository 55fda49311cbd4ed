import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prefixRange, readRange, type Store } from '../../../server/storage/Store.ts';

export interface StoreHarness {
  open(): Promise<Store>;
  /** Closes and opens the same store again; absent for stores that do not persist. */
  reopen?(store: Store): Promise<Store>;
  cleanup?(): Promise<void>;
}

const keysOf = (entries: Array<[string, string]>): string[] => entries.map(([k]) => k);

/** The contract every Store implementation passes (like aedes-persistence's abstract tests). */
export function abstractStoreTests(name: string, harness: () => StoreHarness): void {
  describe(`Store contract: ${name}`, () => {
    let h: StoreHarness;
    let store: Store;

    beforeEach(async () => {
      h = harness();
      store = await h.open();
      await store.batch(['a', 'b', 'b\x00x', 'b\x00y', 'ba', 'c', 'd'].map((key) => ({ type: 'put', key, value: `v-${key}` })));
    });
    afterEach(async () => {
      await store.close();
      await h.cleanup?.();
    });

    it('gets what was put and undefined for what was not', async () => {
      expect(await store.get('a')).toBe('v-a');
      expect(await store.get('zz')).toBeUndefined();
      expect(await store.getMany(['d', 'nope', 'a'])).toEqual(['v-d', undefined, 'v-a']);
      expect(await store.getMany([])).toEqual([]);
    });

    it('keeps empty values empty', async () => {
      await store.batch([{ type: 'put', key: 'empty', value: '' }]);
      expect(await store.get('empty')).toBe('');
      expect(await store.getMany(['empty'])).toEqual(['']);
      expect(await readRange(store, { gte: 'empty', lte: 'empty' })).toEqual([['empty', '']]);
    });

    it('applies a batch in order: put, overwrite, delete', async () => {
      await store.batch([
        { type: 'put', key: 'e', value: '1' },
        { type: 'put', key: 'e', value: '2' },
        { type: 'del', key: 'a' },
        { type: 'del', key: 'never' },
      ], { sync: true });
      expect(await store.get('e')).toBe('2');
      expect(await store.get('a')).toBeUndefined();
    });

    it('iterates a range in key order, with \\x00 separators sorting first', async () => {
      expect(keysOf(await readRange(store, { gte: 'b', lt: 'c' }))).toEqual(['b', 'b\x00x', 'b\x00y', 'ba']);
      expect(keysOf(await readRange(store, prefixRange('b\x00')))).toEqual(['b\x00x', 'b\x00y']);
      expect(keysOf(await readRange(store, { gt: 'b', lte: 'c' }))).toEqual(['b\x00x', 'b\x00y', 'ba', 'c']);
      expect(await readRange(store, { gte: 'x' })).toEqual([]);
    });

    it('iterates in reverse and honours a limit', async () => {
      expect(keysOf(await readRange(store, { lt: 'c', reverse: true, limit: 3 }))).toEqual(['ba', 'b\x00y', 'b\x00x']);
      expect(keysOf(await readRange(store, { limit: 2 }))).toEqual(['a', 'b']);
      expect(keysOf(await readRange(store, { limit: 0 }))).toEqual([]);
    });

    it('returns entries in chunks with nextv until empty', async () => {
      const it = store.iterator({ gte: 'a' });
      const chunks: string[][] = [];
      for (let c = await it.nextv(3); c.length > 0; c = await it.nextv(3)) chunks.push(keysOf(c));
      await it.close();
      expect(chunks).toEqual([['a', 'b', 'b\x00x'], ['b\x00y', 'ba', 'c'], ['d']]);
    });

    it('seeks forward and backward within the range', async () => {
      const it = store.iterator({ gte: 'b', lt: 'd' });
      it.seek('b\x00y');
      expect((await it.next())?.[0]).toBe('b\x00y');
      it.seek('bb');
      expect((await it.next())?.[0]).toBe('c');
      it.seek('b');
      expect((await it.next())?.[0]).toBe('b');
      it.seek('z');
      expect(await it.next()).toBeUndefined();
      await it.close();

      const outside = store.iterator({ gte: 'b', lt: 'd' });
      outside.seek('a'); // out of range: the iteration ends
      expect(await outside.next()).toBeUndefined();
      await outside.close();

      const rev = store.iterator({ reverse: true });
      rev.seek('bb');
      expect((await rev.next())?.[0]).toBe('ba');
      await rev.close();
    });

    it('keeps data across a reopen when the store persists', async () => {
      if (!h.reopen) return;
      await store.batch([{ type: 'put', key: 'kept', value: 'yes' }], { sync: true });
      store = await h.reopen(store);
      expect(await store.get('kept')).toBe('yes');
      expect(keysOf(await readRange(store, {}))).toHaveLength(8);
    });
  });
}
