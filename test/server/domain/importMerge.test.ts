import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { importSnapshot, type ImportOptions } from '../../../server/domain/import/importer.ts';
import { importRows } from '../../../server/domain/import/sources.ts';
import { Inventory } from '../../../server/domain/inventory/Inventory.ts';
import type { HubRecord } from '../../../server/domain/inventory/hub.ts';
import { MemoryStore } from '../../../server/storage/MemoryStore.ts';
import { hubId, sampleHub } from '../helpers/snapshot.ts';

const options: ImportOptions = { by: 'test', batchSize: 500, maxErrorsReported: 10, defaultCustody: 'with-user' };
const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

describe('SMI snapshot merge', () => {
  let inventory: Inventory;
  beforeEach(async () => {
    inventory = new Inventory(new MemoryStore());
    await inventory.open();
  });

  /** Imports JSON Lines, one object a row. */
  const importObjects = (rows: object[], opts: Partial<ImportOptions> = {}) =>
    importSnapshot(inventory, importRows(Readable.from([rows.map((r) => JSON.stringify(r)).join('\n')]), 'json'), { ...options, ...opts });
  const historyOf = async (i: number) => (await inventory.history(hubId(i))).items.map(({ type, details }) => ({ type, details }));

  it('writes a batch every batchSize valid rows, and the rest at the end', async () => {
    const createdAtEachBatch: number[] = [];
    const rows = Array.from({ length: 7 }, (_, i) => sampleHub(i));
    await importObjects(rows, { batchSize: 2, onBatch: (r) => createdAtEachBatch.push(r.created) });
    expect(createdAtEachBatch).toEqual([2, 4, 6, 7]);
  });

  it.each([500, 1])('applies a hub given twice (batch size %i) as one creation and one update, the later row winning', async (batchSize) => {
    const report = await importObjects([sampleHub(0), { ...sampleHub(0), smiStatus: 'Withdrawn' }], { batchSize });
    expect(report).toMatchObject({ rows: 2, created: 1, updated: 1, unchanged: 0 });
    expect((await inventory.get(hubId(0)))?.smiStatus).toBe('Withdrawn');
    expect(await historyOf(0)).toEqual([
      { type: 'import', details: { created: true } },
      { type: 'import', details: { changed: ['smiStatus'] } },
      { type: 'status-change', details: { from: 'Whitelisted', to: 'Withdrawn' } },
    ]);
    expect(inventory.stats()).toMatchObject({ total: 1, by: { status: { Withdrawn: 1 } } });
  });

  it('counts updated and unchanged hubs on a re-import, naming exactly the fields that changed', async () => {
    await importObjects([sampleHub(0), sampleHub(1), sampleHub(2)]);
    const report = await importObjects([sampleHub(0), { ...sampleHub(1), model: 'NEW-CH9', connectivity: '4G' }, sampleHub(2)]);
    expect(report).toMatchObject({ rows: 3, created: 0, updated: 1, unchanged: 2, invalid: 0 });
    expect(sampleHub(1).connectivity).toBe('2G/3G');
    expect((await historyOf(1))[1]).toEqual({ type: 'import', details: { changed: ['model', 'connectivity'] } });
    expect(await historyOf(0)).toHaveLength(1);
  });

  it("takes a new hub's custody from its row, else the default, and records a custody change only when it differs", async () => {
    await importObjects([{ ...sampleHub(0), custody: 'at-csp' }, sampleHub(1)]);
    expect((await inventory.get(hubId(0)))?.custody).toBe('at-csp');
    expect((await inventory.get(hubId(1)))?.custody).toBe('with-user');

    expect(await importObjects([{ ...sampleHub(0), custody: 'at-csp' }])).toMatchObject({ updated: 0, unchanged: 1 });
    expect(await importObjects([{ ...sampleHub(0), custody: 'on-rig' }])).toMatchObject({ updated: 1, unchanged: 0 });
    expect((await historyOf(0)).slice(1)).toEqual([
      { type: 'import', details: { changed: ['custody'] } },
      { type: 'custody-change', details: { from: 'at-csp', to: 'on-rig' } },
    ]);
    expect((await inventory.query({ custody: 'on-rig' })).items.map((h) => h.chfId)).toEqual([hubId(0)]);
    expect((await inventory.query({ custody: 'at-csp' })).items).toEqual([]);
  });

  it("takes firmware from the SMI: its hash, and drops an old hash when only the version changes", async () => {
    await importObjects([{ ...sampleHub(0), firmwareVersion: '01260300', firmwareHash: HASH_A }]);
    expect(await inventory.get(hubId(0))).toMatchObject({ firmwareVersion: '01260300', firmwareHash: HASH_A, firmwareSource: 'smi' });
    // The same version without a hash keeps the hash it has.
    expect(await importObjects([{ ...sampleHub(0), firmwareVersion: '01260300' }])).toMatchObject({ unchanged: 1 });
    await importObjects([{ ...sampleHub(0), firmwareVersion: '02000100' }]);
    const hub = await inventory.get(hubId(0));
    expect(hub).toMatchObject({ firmwareVersion: '02000100', firmwareSource: 'smi' });
    expect(hub?.firmwareHash).toBeUndefined();
  });

  it('keeps firmware a rig verified, recording what the SMI says instead as a firmware-mismatch', async () => {
    const verified: HubRecord = {
      chfId: hubId(0),
      smiStatus: 'Whitelisted',
      region: 'North',
      hanVariant: 'DualBand',
      firmwareVersion: '02000100',
      firmwareHash: HASH_B,
      firmwareSource: 'rig',
      custody: 'at-csp',
      updatedAt: '2025-01-01T00:00:00Z',
    };
    await inventory.commit([{ after: verified, events: [] }]);
    const row = { chfId: hubId(0), smiStatus: 'Whitelisted', region: 'North', hanVariant: 'DualBand', custody: 'at-csp' };

    expect(await importObjects([{ ...row, firmwareVersion: '02000100' }])).toMatchObject({ updated: 0, unchanged: 1 });
    expect(await importObjects([{ ...row, firmwareVersion: '01260300', firmwareHash: HASH_A }])).toMatchObject({ updated: 1, unchanged: 0 });
    expect(await inventory.get(hubId(0))).toMatchObject({ firmwareVersion: '02000100', firmwareHash: HASH_B, firmwareSource: 'rig' });
    expect(await historyOf(0)).toEqual([
      { type: 'import', details: { changed: [] } },
      { type: 'firmware-mismatch', details: { smi: '01260300', verified: '02000100' } },
    ]);
  });
});
