import { beforeAll, describe, expect, it } from 'vitest';
import { Inventory } from '../../../server/domain/inventory/Inventory.ts';
import type { HubRecord } from '../../../server/domain/inventory/hub.ts';
import { matchingIds, type HubFilter } from '../../../server/domain/inventory/query.ts';
import { MemoryStore } from '../../../server/storage/MemoryStore.ts';
import { allMatches as all } from '../helpers/matchPages.ts';
import { hubId } from '../helpers/snapshot.ts';

/** 3 000 hubs: region by i % 3, model by i % 5, status by i % 2. */
function hub(i: number): HubRecord {
  return {
    chfId: hubId(i),
    region: (['North', 'Central', 'South'] as const)[i % 3]!,
    model: `M${i % 5}`,
    smiStatus: i % 2 === 0 ? 'Whitelisted' : 'Pending',
    custody: 'at-csp',
    updatedAt: '2025-01-01T00:00:00Z',
  };
}

describe('index queries', () => {
  const store = new MemoryStore();
  const inventory = new Inventory(store);
  beforeAll(async () => {
    await inventory.commit(Array.from({ length: 3000 }, (_, i) => ({ after: hub(i), events: [] })));
  });

  it('intersects several indexes in ID order', async () => {
    const expected = Array.from({ length: 3000 }, (_, i) => i).filter((i) => i % 3 === 0 && i % 5 === 2 && i % 2 === 0).map((i) => hubId(i));
    expect((await all(store, { region: 'North', model: 'M2', status: 'Whitelisted' }, 1000, 100_000)).ids).toEqual(expected);
  });

  it('stops at the scan budget and resumes exactly where it stopped', async () => {
    const filter: HubFilter = { region: 'North', model: 'M2', status: 'Whitelisted' };
    const expected = (await all(store, filter, 1000, 100_000)).ids;
    const small = await all(store, filter, 1000, 50);
    expect(small.calls).toBeGreaterThan(5);
    expect(small.ids).toEqual(expected);
  });

  it('ends an empty intersection within the budget rather than scanning everything', async () => {
    const page = await matchingIds(store, { region: 'North', model: 'M1', status: 'Pending' }, 10, undefined, 100);
    // North is i % 3 = 0, M1 is i % 5 = 1, Pending is odd: matches exist (i = 21, 51, …), but not within 100 entries.
    expect(page.ids.length < 10).toBe(true);
    expect(page.resumeAfter).toBeDefined();
  });
});
