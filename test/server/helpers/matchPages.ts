import { expect } from 'vitest';
import { matchingIds, type HubFilter } from '../../../server/domain/inventory/query.ts';
import type { Store } from '../../../server/storage/Store.ts';

/**
 * Follows matchingIds page by page to the end (the last ID of a full page, else resumeAfter),
 * checking no page is over `limit`; gives every ID and how many calls it took.
 */
export async function allMatches(store: Store, filter: HubFilter, limit: number, maxScan: number): Promise<{ ids: string[]; calls: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let calls = 0;
  do {
    const page = await matchingIds(store, filter, limit, cursor, maxScan);
    calls++;
    expect(page.ids.length).toBeLessThanOrEqual(limit);
    ids.push(...page.ids);
    cursor = page.ids.length === limit ? page.ids[page.ids.length - 1] : page.resumeAfter;
  } while (cursor !== undefined && calls < 1000);
  return { ids, calls };
}
