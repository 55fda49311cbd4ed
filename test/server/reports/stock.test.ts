import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

});
