import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { importSnapshot, type ImportOptions } from '../../../server/domain/import/importer.ts';
import { importRows } from '../../../server/domain/import/sources.ts';
import { Inventory } from '../../../server/domain/inventory/Inventory.ts';
import { LevelStore } from '../../../server/storage/LevelStore.ts';
import type { Store } from '../../../server/storage/Store.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { CSV_HEADER, csvLine, csvSnapshot, hubId, sampleHub } from '../helpers/snapshot.ts';

const options: ImportOptions = { by: 'test', batchSize: 500, maxErrorsReported: 3, defaultCustody: 'with-user' };

describe('SMI snapshot import', () => {
  let inventory: Inventory;
  let store: Store;
  beforeEach(async () => {
    store = await LevelStore.open(tempDir());
    inventory = new Inventory(store);
    await inventory.open();
  });
  afterEach(() => store.close());

  it('imports valid rows, reports invalid ones by line and reason, and keeps going', async () => {
    const bad = new Map<number, string>([
      [5, 'nonsense'],
      [9, csvLine({ ...sampleHub(9), smiStatus: 'Installed' })],
      [12, csvLine({ ...sampleHub(12), chfId: '00-DB-12' })],
      [20, csvLine({ ...sampleHub(20), firmwareVersion: '1.2.300' })],
    ]);
    const file = csvSnapshot(50, 0, (i) => bad.get(i) ?? csvLine(sampleHub(i)));
    const report = await importSnapshot(inventory, importRows(file, 'csv'), options);
    expect(report).toMatchObject({ rows: 50, created: 46, invalid: 4, errorsTruncated: true });
    // Line 1 is the header, so hub i is on line i + 2.
    expect(report.errors).toEqual([
      { line: 7, reason: 'has 1 fields, the header has 13' },
      { line: 11, reason: expect.stringContaining('smiStatus "Installed" is not one of') },
      { line: 14, reason: expect.stringContaining('chfId: Invalid device ID "00-DB-12"') },
    ]);
    expect(await inventory.get(hubId(9))).toBeUndefined();
    const { smiStatus, firmwareVersion, region } = sampleHub(10);
    expect(await inventory.get(hubId(10))).toMatchObject({ chfId: hubId(10), smiStatus, firmwareVersion, region, custody: 'with-user', hardwareVersion: 0x1111 });
    expect(inventory.stats().total).toBe(46);
  });

  it('reads a JSON array and JSON Lines with line numbers', async () => {
    const objects = [sampleHub(1), { ...sampleHub(2), region: 'West' }, sampleHub(3)];
    const array = `[\n${objects.map((o) => JSON.stringify(o)).join(',\n')}\n]`;
    const report = await importSnapshot(inventory, importRows(Readable.from([array.slice(0, 100), array.slice(100)]), 'json'), options);
    expect(report).toMatchObject({ rows: 3, created: 2, invalid: 1, errors: [{ line: 3, reason: expect.stringContaining('region "West"') }] });
    const lines = objects.map((o) => JSON.stringify(o)).join('\n');
    const again = await importSnapshot(inventory, importRows(Readable.from([lines]), 'json'), options);
    expect(again).toMatchObject({ rows: 3, unchanged: 2, invalid: 1 });
  });

  it('refuses a file it cannot read at all with ImportUnreadable', async () => {
    const err = await importSnapshot(inventory, importRows(Readable.from(['{"chfId": 1} oops']), 'json'), options).catch((e: unknown) => e);
    expect(isHubflashError(err, ErrorCode.ImportUnreadable)).toBe(true);
  });

  it('refuses a CSV file whose stream fails part-way with ImportUnreadable, rather than taking it as a shorter file', async () => {
    const input = new Readable({ read() {} });
    input.push(`${CSV_HEADER}\n${csvLine(sampleHub(0))}\n`);
    setImmediate(() => input.destroy(new Error('disk read error')));
    const err = await importSnapshot(inventory, importRows(input, 'csv'), options).catch((e: unknown) => e);
    expect(isHubflashError(err, ErrorCode.ImportUnreadable)).toBe(true);
    expect((err as Error).message).toContain('disk read error');
  });

  it('streams 20 000 rows in batches and answers filtered, paged queries from the indexes', async () => {
    let batches = 0;
    const report = await importSnapshot(inventory, importRows(csvSnapshot(20_000), 'csv'), { ...options, onBatch: () => batches++ });
    expect(report).toMatchObject({ rows: 20_000, created: 20_000, invalid: 0 });
    expect(batches).toBe(40);

    const expected = Array.from({ length: 20_000 }, (_, i) => sampleHub(i)).filter(
      (h) => h.smiStatus === 'Whitelisted' && h.region === 'North' && h.hanVariant === 'DualBand',
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await inventory.query({ status: 'Whitelisted', region: 'North', hanVariant: 'DualBand' }, 97, cursor);
      seen.push(...page.items.map((h) => h.chfId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected.map((h) => h.chfId));
    expect(inventory.stats().by.status.Whitelisted).toBe(Array.from({ length: 20_000 }, (_, i) => i).filter((i) => sampleHub(i).smiStatus === 'Whitelisted').length);
  });

  it('reports a line that is not valid CSV (a stray or unclosed quote) by its number, and imports the lines around it', async () => {
    // A quote closed too early on line 3, one never closed on line 5: each spoils its own line only.
    // Line 7 quotes every field, as some exports do: it goes in.
    const quoted = csvLine(sampleHub(5)).split(',').map((f) => `"${f}"`).join(',');
    const lines = [csvLine(sampleHub(0)), `${hubId(1)},"Whitelisted"x`, csvLine(sampleHub(2)), `${hubId(3)},"Whitelisted`, csvLine(sampleHub(4)), quoted];
    const report = await importSnapshot(inventory, importRows(Readable.from([`${CSV_HEADER}\n${lines.join('\n')}\n`]), 'csv'), { ...options, maxErrorsReported: 10 });
    expect(report).toMatchObject({ rows: 6, created: 4, invalid: 2 });
    expect(report.errors).toEqual([
      { line: 3, reason: expect.stringContaining('not valid CSV') },
      { line: 5, reason: expect.stringContaining('not valid CSV') },
    ]);
    expect((await Promise.all([0, 1, 2, 3, 4, 5].map((i) => inventory.get(hubId(i))))).map((h) => h?.chfId)).toEqual([hubId(0), undefined, hubId(2), undefined, hubId(4), hubId(5)]);
    expect(await inventory.get(hubId(5))).toMatchObject({ model: sampleHub(5).model, smiStatus: sampleHub(5).smiStatus });
  });

  it("pages through a hub's history: every event once, in the order they happened", async () => {
    await importSnapshot(inventory, importRows(csvSnapshot(2), 'csv'), options);
    const id = hubId(0);
    for (let n = 1; n <= 7; n++) await inventory.appendEvents([{ chfId: id, event: { type: 'flash-attempt', at: new Date().toISOString(), by: 'rig:RIG-01', details: { n } } }]);
    const seen: Array<number | string> = [];
    let cursor: string | undefined;
    do {
      const page = await inventory.history(id, 3, cursor);
      expect(page.items.length).toBeLessThanOrEqual(3);
      for (const e of page.items) seen.push(e.type === 'import' ? 'import' : (e.details!.n as number));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toEqual(['import', 1, 2, 3, 4, 5, 6, 7]);
  });

  it('moves a hub between index entries and records a status change in its history', async () => {
    await importSnapshot(inventory, importRows(csvSnapshot(3), 'csv'), options);
    const id = hubId(0);
    expect(sampleHub(0).smiStatus).toBe('Whitelisted');
    const changed = `${CSV_HEADER}\n${csvLine({ ...sampleHub(0), smiStatus: 'Withdrawn' })}\n`;
    await importSnapshot(inventory, importRows(Readable.from([changed]), 'csv'), options);
    expect((await inventory.query({ status: 'Whitelisted' })).items.map((h) => h.chfId)).not.toContain(id);
    expect((await inventory.query({ status: 'Withdrawn' })).items.map((h) => h.chfId)).toContain(id);
    const history = await inventory.history(id);
    expect(history.items.map((e) => e.type)).toEqual(['import', 'import', 'status-change']);
    expect(history.items[2]!.details).toEqual({ from: 'Whitelisted', to: 'Withdrawn' });
  });
});
