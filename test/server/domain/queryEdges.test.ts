import { beforeAll, describe, expect, it } from 'vitest';
import { Inventory } from '../../../server/domain/inventory/Inventory.ts';
import type { HubRecord } from '../../../server/domain/inventory/hub.ts';
import { matchingIds } from '../../../server/domain/inventory/query.ts';
import { MemoryStore } from '../../../server/storage/MemoryStore.ts';
import { allMatches as all } from '../helpers/matchPages.ts';

/** Consecutive CHF IDs 00-DB-00-00-00-00-00-00 + i: each hub's ID is the one just before the next's. */
const hubId = (i: number): string => (0x00db_0000_0000_0000n + BigInt(i)).toString(16).toUpperCase().padStart(16, '0').match(/../g)!.join('-');

/** 3 000 hubs: region by i % 3, model by i % 5. */
function hub(i: number): HubRecord {
  return {
    chfId: hubId(i),
    region: (['North', 'Central', 'South'] as const)[i % 3]!,
    model: `M${i % 5}`,
    smiStatus: 'Whitelisted',
    custody: 'at-csp',
    updatedAt: '2025-01-01T00:00:00Z',
  };
}
const ids = (pred: (i: number) => boolean, n = 3000): string[] => Array.from({ length: n }, (_, i) => i).filter(pred).map((i) => hubId(i));

describe('index queries at their edges', () => {
  const store = new MemoryStore();
  const inventory = new Inventory(store);
  beforeAll(async () => {
    await inventory.commit(Array.from({ length: 3000 }, (_, i) => ({ after: hub(i), events: [] })));
  });

  it('gives at most `limit` IDs a page, the next page going on after the last', async () => {
    const first = await matchingIds(store, { model: 'M2' }, 10);
    expect(first).toEqual({ ids: ids((i) => i % 5 === 2).slice(0, 10) });
    const second = await matchingIds(store, { model: 'M2' }, 10, first.ids[9]);
    expect(second.ids).toEqual(ids((i) => i % 5 === 2).slice(10, 20));
  });

  it('walks every hub in ID order when no filter is given, and ignores filters left undefined', async () => {
    expect((await matchingIds(store, {}, 5000)).ids).toEqual(ids(() => true));
    expect((await matchingIds(store, { region: undefined, model: 'M4', status: undefined }, 5000)).ids).toEqual(ids((i) => i % 5 === 4));
  });

  it('resumes after a spent scan budget without skipping or repeating a hub, with one filter or none', async () => {
    const north = await all(store, { region: 'North' }, 5000, 97);
    expect(north.calls).toBeGreaterThan(5);
    expect(north.ids).toEqual(ids((i) => i % 3 === 0));
    const everything = await all(store, {}, 5000, 97);
    expect(everything.calls).toBeGreaterThan(20);
    expect(everything.ids).toEqual(ids(() => true));
  });

  it('pages through Inventory.query with no nextCursor once the last page is exactly full', async () => {
    const m3 = ids((i) => i % 5 === 3);
    expect(m3.length).toBe(600);
    const whole = await inventory.query({ model: 'M3' }, 600);
    expect(whole.items.map((h) => h.chfId)).toEqual(m3);
    expect(whole.nextCursor).toBeUndefined();
    const first = await inventory.query({ model: 'M3' }, 300);
    expect(first.nextCursor).toBe(m3[299]);
    const last = await inventory.query({ model: 'M3' }, 300, first.nextCursor);
    expect(last.items.map((h) => h.chfId)).toEqual(m3.slice(300));
    expect(last.nextCursor).toBeUndefined();
  });
});

describe('a rare value joined with a common one', () => {
  it('jumps through the common index rather than stepping over every entry', async () => {
    // 6 000 hubs of one model, 3 of them Suspended: the join must not read the model's whole index.
    const store = new MemoryStore();
    const rare = new Set([1500, 3000, 5999]);
    await new Inventory(store).commit(
      Array.from({ length: 6000 }, (_, i) => ({ after: { ...hub(i), model: 'M', smiStatus: rare.has(i) ? 'Suspended' : 'Whitelisted' } as HubRecord, events: [] })),
    );
    for (const filter of [{ status: 'Suspended', model: 'M' }, { model: 'M', status: 'Suspended' }]) {
      expect(await matchingIds(store, filter, 100, undefined, 2000)).toEqual({ ids: [...rare].map((i) => hubId(i)) });
    }
  });
});

describe('counts per indexed value', () => {
  it('move with a hub, drop values no hub has, count each hub once, and never count a field a hub lacks', async () => {
    const inventory = new Inventory(new MemoryStore());
    const a: HubRecord = { chfId: hubId(1), region: 'North', smiStatus: 'Pending', custody: 'at-csp', updatedAt: '2025-01-01T00:00:00Z' };
    const b: HubRecord = { ...a, chfId: hubId(2) };
    await inventory.commit([{ after: a, events: [] }, { after: b, events: [] }]);
    expect(inventory.stats()).toEqual({
      total: 2,
      by: { status: { Pending: 2 }, firmwareVersion: {}, region: { North: 2 }, hanVariant: {}, model: {}, custody: { 'at-csp': 2 } },
    });

    const a2: HubRecord = { ...a, smiStatus: 'Whitelisted', model: 'EDMI-CH2' };
    await inventory.commit([{ before: a, after: a2, events: [] }]);
    expect(inventory.stats()).toMatchObject({ total: 2, by: { status: { Pending: 1, Whitelisted: 1 }, model: { 'EDMI-CH2': 1 }, region: { North: 2 } } });

    await inventory.commit([{ before: b, after: { ...b, smiStatus: 'Whitelisted' }, events: [] }]);
    const stats = inventory.stats();
    expect(stats.total).toBe(2);
    expect(stats.by.status).toEqual({ Whitelisted: 2 });
    // A hub that loses a field leaves that field's count, and is counted under no value at all.
    const { model: _dropped, ...a3 } = a2;
    await inventory.commit([{ before: a2, after: a3, events: [] }]);
    expect(inventory.stats().by.model).toEqual({});
    expect((await inventory.query({ model: 'EDMI-CH2' })).items).toEqual([]);
    expect((await inventory.query({ status: 'Pending' })).items).toEqual([]);
    expect((await inventory.query({ status: 'Whitelisted' })).items.map((h) => h.chfId)).toEqual([hubId(1), hubId(2)]);
  });
});
