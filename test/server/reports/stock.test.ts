import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STOCK_CSV_COLUMNS, stockToCsv } from '../../../server/domain/reports/stock.ts';
import { hubRecord, openHarness, type Harness } from '../orders/harness.ts';

/** The stock report's installation-end-date counts (docs/orders.md, "Stock report"). */
describe('the stock report, in detail', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness();
  });
  afterEach(() => h.close());

  /** One image per end date (versions 0x03000000 + k), one hub on each; the report's flags per end date. */
  async function flags(endDates: string[]): Promise<Record<string, string>> {
    const hubs = [];
    for (const [k, end] of endDates.entries()) {
      const image = await h.addImage({ fileVersion: 0x03000000 + k }, { installationEndDate: end });
      hubs.push(hubRecord(k, { firmwareVersion: image.fileVersion, firmwareHash: image.sha256, custody: 'at-csp' }));
    }
    await h.addHubs(hubs);
    const r = await h.desk.stock();
    return Object.fromEntries(r.rows.map((row) => [row.installationEndDate, row.pastInstallationEnd ? 'past' : row.withinWarning ? 'within' : 'later']));
  }

  it('counts the end date itself as within the window, the day before today as past, and the 90th day as the last within', async () => {
    expect(await flags(['2026-11-27', '2026-11-28', '2027-02-26', '2027-02-27'])).toEqual({
      '2026-11-27': 'past',
      '2026-11-28': 'within', // today
      '2027-02-26': 'within', // today + 90 days
      '2027-02-27': 'later',
    });
  });

  it('ends the window 90 calendar days after the UK date, also late in the evening before the clocks change', async () => {
    // 23:30 GMT on 1 March: 90 days later the clock time falls on 31 May in BST, yet the window ends on 30 May.
    h.clock.t = Date.parse('2026-03-01T23:30:00.000Z');
    expect(await flags(['2026-03-01', '2026-05-30', '2026-05-31'])).toEqual({ '2026-03-01': 'within', '2026-05-30': 'within', '2026-05-31': 'later' });
  });

  it('ends the window 90 calendar days after the UK date just after midnight in summer too', async () => {
    // 00:30 BST on 1 September (23:30 UTC on 31 August): the window ends on 30 November.
    h.clock.t = Date.parse('2026-08-31T23:30:00.000Z');
    expect(await flags(['2026-08-31', '2026-11-30', '2026-12-01'])).toEqual({ '2026-08-31': 'past', '2026-11-30': 'within', '2026-12-01': 'later' });
  });

  it("takes a hub's end date from its image by hash, else the earliest among its version's images", async () => {
    const late = await h.addImage({ fileVersion: 0x03000000 }, { installationEndDate: '2029-01-31' });
    await h.addImage({ fileVersion: 0x03000000, payload: new Uint8Array(300).fill(3) }, { installationEndDate: '2026-06-30' });
    await h.addImage({ fileVersion: 0x03000000, payload: new Uint8Array(300).fill(4) }, { installationEndDate: '2028-01-31' });
    await h.addHubs([
      hubRecord(0, { firmwareVersion: '03000000', firmwareHash: late.sha256 }),
      hubRecord(2, { firmwareVersion: '03000000', firmwareHash: 'f'.repeat(64) }),
      hubRecord(4, { firmwareVersion: '03000000', firmwareHash: undefined }),
    ]);
    const r = await h.desk.stock();
    // Hubs 0, 2 and 4 share every dimension; the row takes the first hub's date, the counts each hub's own.
    expect(r.rows).toEqual([
      { firmwareVersion: '03000000', region: 'North', hanVariant: 'DualBand', holder: 'User', hubs: 3, installationEndDate: '2029-01-31', pastInstallationEnd: 2, withinWarning: 0 },
    ]);
    expect([r.pastInstallationEnd, r.endDateUnknown]).toEqual([2, 0]);
  });

  it('lists rows with the most hubs first, and writes its CSV columns in the documented order, CRLF line ends', async () => {
    await h.addHubs([hubRecord(0, { region: 'South' }), hubRecord(1), hubRecord(3), hubRecord(5, { custody: 'on-rig', region: 'Central' })]);
    const r = await h.desk.stock();
    expect(r.rows.map((row) => [row.region, row.hanVariant, row.holder, row.hubs])).toEqual([
      ['North', 'SingleBand', 'User', 2],
      ['South', 'DualBand', 'User', 1],
      ['Central', 'SingleBand', 'CSP', 1],
    ]);
    expect(STOCK_CSV_COLUMNS).toEqual(['firmwareVersion', 'region', 'hanVariant', 'holder', 'hubs', 'installationEndDate', 'pastInstallationEnd', 'withinWarning']);
    expect(stockToCsv(r).split('\r\n')).toEqual([
      'firmwareVersion,region,hanVariant,holder,hubs,installationEndDate,pastInstallationEnd,withinWarning',
      '01260300,North,SingleBand,User,2,,0,0',
      '01260300,South,DualBand,User,1,,0,0',
      '01260300,Central,SingleBand,CSP,1,,0,0',
      '',
    ]);
  });
});
