import type { BatchOp, Store } from '../../storage/Store.ts';
import { counterKey } from './keys.ts';

/**
 * The next number of a persisted counter (orders, ASNs) and the op that records it. The caller
 * writes the op in the same batch as what it numbers, under the write lock, so a number is used
 * once and never again, even when what it numbered is later cancelled.
 */
export async function nextNumber(store: Store, name: string): Promise<{ value: number; op: BatchOp }> {
  const stored = await store.get(counterKey(name));
  const value = (stored === undefined ? 0 : Number(stored)) + 1;
  return { value, op: { type: 'put', key: counterKey(name), value: String(value) } };
}
