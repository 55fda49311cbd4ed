import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { decodeAck, decodeResult, encodeResult, type ResultMessage } from '../../../protocol/mqtt/index.ts';
import { AuditLog } from '../../../server/audit/AuditLog.ts';
import { Catalogue } from '../../../server/domain/catalogue/Catalogue.ts';
import { ImageFiles } from '../../../server/domain/catalogue/ImageFiles.ts';
import { Inventory } from '../../../server/domain/inventory/Inventory.ts';
import { ServerHooks } from '../../../server/hooks.ts';
import { IngestStats } from '../../../server/ingest/IngestStats.ts';
import { ResultIngest } from '../../../server/ingest/ResultIngest.ts';
import { MemoryStore } from '../../../server/storage/MemoryStore.ts';
import type { Store } from '../../../server/storage/Store.ts';
import { sampleResult } from '../../protocol/mqtt/fixtures.ts';
import { hubId } from '../helpers/snapshot.ts';
import { tempDir } from '../helpers/tempDir.ts';

const counterKey = (chfId: string): string => `test\x00${chfId}`;

/** The result pipeline over a MemoryStore that records every getMany, with a hook that counts results per hub. */
function pipeline(): { results: ResultIngest; store: Store; reads: string[][]; acks: string[] } {
  const inner = new MemoryStore();
  const reads: string[][] = [];
  const store: Store = { get: (k) => inner.get(k), getMany: (keys) => (reads.push([...keys]), inner.getMany(keys)), batch: (o, w) => inner.batch(o, w), iterator: (r) => inner.iterator(r), close: () => inner.close() };
  const dir = tempDir();
  const audit = AuditLog.inDataDir(dir);
  const hooks = new ServerHooks();
  hooks.onResultApplied(
    async ({ result }, tx) => {
      const key = counterKey(result.hub.chfId);
      const seen = await tx.get(key);
      tx.ops.push({ type: 'put', key, value: String(Number(seen ?? 0) + 1) });
    },
    { reads: (result) => [counterKey(result.hub.chfId)] },
  );
  const acks: string[] = [];
  const results = new ResultIngest({
    store,
    inventory: new Inventory(store),
    catalogue: new Catalogue(store, new ImageFiles(path.join(dir, 'images')), audit, []),
    audit,
    hooks,
    stats: new IngestStats(),
    log: pino({ level: 'silent' }),
    maxGroupSize: 1000,
    publish: async (_topic, payload) => void acks.push(...decodeAck(payload).resultIds),
    finished: () => {},
  });
  return { results, store, reads, acks };
}

const failed = (hub: number): ResultMessage =>
  decodeResult(encodeResult(sampleResult({ outcome: 'failed', imageHash: undefined, error: { code: 'HF0304', name: 'DeviceFlashFailure', message: 'x' }, hub: { ...sampleResult().hub, chfId: hubId(hub) } })));

describe('a group of results', () => {
  it("reads what the hooks declared once per group, and each result sees the group's earlier writes", async () => {
    const { results, store, reads, acks } = pipeline();
    results.submit('RIG-01', failed(100)); // the first result starts a group on its own
    const group = Array.from({ length: 40 }, (_, i) => failed(i % 20));
    for (const r of group) results.submit('RIG-01', r);
    await results.idle();
    expect(acks).toHaveLength(41);
    const hookReads = reads.filter((keys) => keys.some((k) => k.startsWith('test\x00')));
    expect(hookReads).toHaveLength(2);
    expect(hookReads[1]).toHaveLength(20); // each hub's key once, for 40 results
    for (let i = 0; i < 20; i++) expect(await store.get(counterKey(hubId(i)))).toBe('2');
    // Per group: which results are new, the hubs, the hooks' keys; nothing per result.
    expect(reads.length).toBeLessThanOrEqual(6);
  });
});
