import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors/index.ts';
import { smiChangesToCsv } from '../../../server/domain/reports/smiChanges.ts';
import { stockToCsv } from '../../../server/domain/reports/stock.ts';
import { chf, hubRecord, openHarness, rejection, resultFor, type Harness } from '../orders/harness.ts';

describe('the SMI update export', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness();
    await h.addHubs([0, 1, 2].map((i) => hubRecord(i, { firmwareHash: 'c'.repeat(64) })));
  });
  afterEach(() => h.close());

  it('lists every hub whose firmware changed since a time, with before and after, the rig and the time', async () => {
    const image = await h.addImage();
    await h.report(resultFor(0, image, { rigId: 'RIG-01', from: { version: '01260300', hash: 'c'.repeat(64) }, finishedAt: '2026-11-20T08:00:00+01:00', startedAt: '2026-11-20T06:59:00Z' }));
    await h.report(resultFor(1, image, { rigId: 'RIG-02', finishedAt: '2026-11-25T12:00:00Z', startedAt: '2026-11-25T11:59:00Z' }));
    await h.report(resultFor(2, image, { outcome: 'failed', error: { code: 'HF0304', name: 'DeviceFlashFailure', message: 'x' }, imageHash: undefined }));
    const all = await h.desk.smiChanges('2026-11-01');
    expect(all.map((c) => [c.chfId, c.before.version, c.before.hash, c.after.version, c.after.hash, c.rigId, c.at])).toEqual([
      [chf(0), '01260300', 'c'.repeat(64), '02000100', image.sha256, 'RIG-01', '2026-11-20T07:00:00.000Z'],
      [chf(1), '01260300', undefined, '02000100', image.sha256, 'RIG-02', '2026-11-25T12:00:00.000Z'],
    ]);
    expect((await h.desk.smiChanges('2026-11-21T00:00:00Z')).map((c) => c.chfId)).toEqual([chf(1)]);
    expect((await h.desk.smiChanges('2026-11-01', '2026-11-21')).map((c) => c.chfId)).toEqual([chf(0)]);
    const rows = parse(smiChangesToCsv(all), { columns: true }) as Array<Record<string, string>>;
    expect(rows[0]).toMatchObject({ chfId: chf(0), beforeVersion: '01260300', afterVersion: '02000100', afterHash: image.sha256, rigId: 'RIG-01' });
    await rejection(h.desk.smiChanges('last week'), ErrorCode.ReportRangeInvalid);
  });
});

describe('the stock report', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('counts hubs by firmware, region, HAN variant and holder, with those past or near their installation end date', async () => {
    h = await openHarness();
    // Today is 2026-11-28: one version ended, one ends within 90 days, one later, one unknown.
    await h.addImage({ fileVersion: 0x01000000 }, { installationEndDate: '2026-06-30' });
    await h.addImage({ fileVersion: 0x01260300 }, { installationEndDate: '2027-01-31' });
    await h.addImage({ fileVersion: 0x02000100 }, { installationEndDate: '2029-12-31' });
    await h.addHubs([
      hubRecord(0, { firmwareVersion: '01000000', custody: 'with-user' }),
      hubRecord(1, { firmwareVersion: '01000000', custody: 'delivered', region: 'South' }),
      hubRecord(2, { firmwareVersion: '01260300', custody: 'at-csp' }),
      hubRecord(3, { firmwareVersion: '01260300', custody: 'in-transit-to-csp' }),
      hubRecord(4, { firmwareVersion: '02000100', custody: 'on-rig' }),
      hubRecord(5, { firmwareVersion: '09000000', custody: 'at-csp' }),
    ]);
    const r = await h.desk.stock();
    expect([r.total, r.pastInstallationEnd, r.withinWarning, r.endDateUnknown, r.warningDays]).toEqual([6, 2, 2, 1, 90]);
    expect(r.by.holder).toEqual({
      User: { hubs: 2, pastInstallationEnd: 2, withinWarning: 0 },
      CSP: { hubs: 3, pastInstallationEnd: 0, withinWarning: 1 },
      'in transit': { hubs: 1, pastInstallationEnd: 0, withinWarning: 1 },
    });
    expect(r.by.region).toMatchObject({ North: { hubs: 5 }, South: { hubs: 1 } });
    expect(r.by.hanVariant).toMatchObject({ DualBand: { hubs: 3 }, SingleBand: { hubs: 3 } });
    expect(r.by.firmwareVersion['01260300']).toEqual({ hubs: 2, pastInstallationEnd: 0, withinWarning: 2 });
    expect(r.rows.reduce((n, row) => n + row.hubs, 0)).toBe(6);
    const rows = parse(stockToCsv(r), { columns: true }) as Array<Record<string, string>>;
    expect(rows.find((x) => x.firmwareVersion === '01000000' && x.region === 'South')).toMatchObject({ holder: 'User', hubs: '1', installationEndDate: '2026-06-30', pastInstallationEnd: '1' });
  });
});
