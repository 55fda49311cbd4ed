import type { BatchOp } from '../../storage/Store.ts';
import type { HubRecord } from './hub.ts';
import { indexKey } from './keys.ts';

/** The filters the inventory answers from indexes, with the short name used in keys. */
export const INDEXES = {
  status: { key: 'st', of: (h: HubRecord) => h.smiStatus },
  firmwareVersion: { key: 'fw', of: (h: HubRecord) => h.firmwareVersion },
  region: { key: 'rg', of: (h: HubRecord) => h.region },
  hanVariant: { key: 'hv', of: (h: HubRecord) => h.hanVariant },
  model: { key: 'md', of: (h: HubRecord) => h.model },
  custody: { key: 'cu', of: (h: HubRecord) => h.custody },
} as const;

export type IndexedField = keyof typeof INDEXES;
export const INDEXED_FIELDS = Object.keys(INDEXES) as IndexedField[];

/** Per field, per value: how many hubs gained (+) or lost (-) it. */
export type CountDeltas = Map<string, number>;
export const deltaKey = (field: IndexedField, value: string): string => `${field}\x00${value}`;

/** The index puts and deletes that move a hub from `before` to `after`, and the count changes. */
export function indexOps(before: HubRecord | undefined, after: HubRecord, ops: BatchOp[], deltas: CountDeltas): void {
  for (const field of INDEXED_FIELDS) {
    const { key, of } = INDEXES[field];
    const old = before ? of(before) : undefined;
    const now = of(after);
    if (old === now) continue;
    if (old !== undefined) {
      ops.push({ type: 'del', key: indexKey(key, old, after.chfId) });
      const counter = deltaKey(field, old);
      deltas.set(counter, (deltas.get(counter) ?? 0) - 1);
    }
    if (now !== undefined) {
      ops.push({ type: 'put', key: indexKey(key, now, after.chfId), value: '' });
      const counter = deltaKey(field, now);
      deltas.set(counter, (deltas.get(counter) ?? 0) + 1);
    }
  }
}
