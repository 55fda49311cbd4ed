import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FirmwareEntry } from '../../../server/domain/catalogue/Catalogue.ts';
import type { TariffEntry } from '../../../server/domain/charges/tariff.ts';
import { chf, OPERATOR, openHarness, verifiedOrder, type Harness } from '../orders/harness.ts';

const ADMIN = 'token:a1:Ada';
const entry = (entries: TariffEntry[], serviceLine: string, hanVariant: string): TariffEntry | undefined => entries.find((e) => e.serviceLine === serviceLine && e.hanVariant === hanVariant);

describe('charges by Regulatory Year', () => {
  let h: Harness;
  let image: FirmwareEntry;
  beforeEach(async () => {
    h = await openHarness();
    image = await h.addImage();
    await h.desk.setTariff('2025/26', { reflash: { DualBand: 700, SingleBand: 701 } }, ADMIN);
    await h.desk.setTariff('2026/27', { reflash: { DualBand: 900, SingleBand: 901 } }, ADMIN);
  });
  afterEach(() => h.close());

  /** Delivers a one-hub return order (hub i, Dual Band when i is even) at `at`; its charge line. */
  async function deliverAt(i: number, at: string) {
    const orderId = await verifiedOrder(h, image, 1, { from: i, reference: `PO-${i}`, kind: 'return-for-reflash' });
    const { asn } = await h.desk.issueAsn(orderId, OPERATOR);
    const { charges } = await h.desk.confirmDelivery(asn.asnId, OPERATOR, { at });
    expect(charges).toHaveLength(1);
    return charges[0]!;
  }

  it("prices a hub from the tariff of its delivery's Regulatory Year, whatever the date today; the year starts at midnight UK time on 1 April", async () => {
    // Today (the clock) is in 2026/27; both deliveries are confirmed after the event.
    const before = await deliverAt(0, '2026-03-31T22:59:59.000Z'); // 23:59:59 on 31 March, BST
    const after = await deliverAt(2, '2026-03-31T23:00:00.000Z'); // midnight BST: 1 April
    expect([before.regulatoryYear, before.date, before.pence]).toEqual(['2025/26', '2026-03-31', 700]);
    expect([after.regulatoryYear, after.date, after.pence]).toEqual(['2026/27', '2026-04-01', 900]);
    const report = await h.desk.charges({});
    expect(report.totals.byRegulatoryYear).toEqual({ '2025/26': 700, '2026/27': 900 });
    // The report's dates are UK dates.
    expect((await h.desk.charges({ from: '2026-04-01' })).lines.map((l) => l.chfId)).toEqual([chf(2)]);
    expect((await h.desk.charges({ to: '2026-03-31' })).lines.map((l) => l.chfId)).toEqual([chf(0)]);
  });

  it('flags the placeholder only while the re-flash figure is the built-in default, per HAN variant', async () => {
    // 2027/28: no change for it. An admin sets the Dual Band figure, to the placeholder's own value.
    await h.desk.setTariff('2027/28', { reflash: { DualBand: 827 } }, ADMIN);
    const t = (await h.desk.tariff('2027/28')).entries;
    expect(entry(t, 'reflash', 'DualBand')).toEqual({ serviceLine: 'reflash', hanVariant: 'DualBand', pence: 827, source: 'admin', placeholder: false });
    expect(entry(t, 'reflash', 'SingleBand')).toEqual({ serviceLine: 'reflash', hanVariant: 'SingleBand', pence: 827, source: 'default', placeholder: true });
    expect(t.filter((e) => e.placeholder)).toHaveLength(1);

    h.clock.t = Date.parse('2027-06-01T10:00:00.000Z');
    const dual = await deliverAt(0, '2027-06-01T10:00:00.000Z');
    const single = await deliverAt(1, '2027-06-01T10:00:00.000Z');
    expect([dual.placeholder, dual.tariffSource, single.placeholder, single.tariffSource]).toEqual([false, 'admin', true, 'default']);
    expect((await h.desk.charges({ from: '2027-06-01' })).placeholderUsed).toBe(true);
    expect((await h.desk.charges({ partyId: 'SUPPLIER-A', from: '2027-06-01' })).lines).toHaveLength(2);
  });

  it('reports no placeholder when every line had a set figure', async () => {
    await deliverAt(0, '2026-12-01T10:00:00.000Z');
    const report = await h.desk.charges({});
    expect([report.lines[0]!.placeholder, report.placeholderUsed]).toEqual([false, false]);
  });

  it('merges an admin change into the earlier ones: figures not given keep their value and source', async () => {
    await h.desk.setTariff('2028/29', { reflash: { DualBand: 1000 } }, ADMIN);
    await h.desk.setTariff('2028-29', { reflash: { SingleBand: 1001 } }, ADMIN);
    const t = (await h.desk.setTariff('2028', { 'returned-redeployed': { SingleBand: 850 } }, ADMIN)).entries;
    expect(t.map((e) => [e.serviceLine, e.hanVariant, e.pence, e.source])).toEqual([
      ['reflash', 'SingleBand', 1001, 'admin'],
      ['reflash', 'DualBand', 1000, 'admin'],
      ['returned-redeployed', 'SingleBand', 850, 'admin'],
      ['returned-redeployed', 'DualBand', 827, 'default'],
      ['returned-not-redeployed', 'SingleBand', 3087, 'default'],
      ['returned-not-redeployed', 'DualBand', 5875, 'default'],
    ]);
    // Setting a figure again replaces it; other years are untouched.
    await h.desk.setTariff('2028/29', { reflash: { DualBand: 1100 } }, ADMIN);
    expect(entry((await h.desk.tariff('2028/29')).entries, 'reflash', 'DualBand')!.pence).toBe(1100);
    expect(entry((await h.desk.tariff('2028/29')).entries, 'reflash', 'SingleBand')!.pence).toBe(1001);
    expect(entry((await h.desk.tariff('2026/27')).entries, 'reflash', 'DualBand')!.pence).toBe(900);
    expect((await h.audit.list(0, 1000)).filter((e) => e.action === 'tariff.set' && e.subject === '2028/29')).toHaveLength(4);
  });
});
