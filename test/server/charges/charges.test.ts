import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors/index.ts';
import { chargesToCsv } from '../../../server/domain/charges/csv.ts';
import { parseRegulatoryYear, regulatoryYearOf } from '../../../server/domain/charges/regulatoryYear.ts';
import { BRIEF_TARIFF, formatPence, resolveTariff } from '../../../server/domain/charges/tariff.ts';
import type { FirmwareEntry } from '../../../server/domain/catalogue/Catalogue.ts';
import { chf, markVerified, OPERATOR, openHarness, orderInput, verifiedOrder, type Harness, rejection } from '../orders/harness.ts';

describe('Regulatory Years', () => {
  it('run from 1 April to 31 March in UK time', () => {
    expect(regulatoryYearOf('2025-01-15T12:00:00Z').label).toBe('2024/25');
    expect(regulatoryYearOf('2025-03-31T22:59:59Z').label).toBe('2024/25'); // 23:59:59 BST on 31 March
    expect(regulatoryYearOf('2025-03-31T23:00:00Z').label).toBe('2025/26'); // midnight BST on 1 April
    expect(regulatoryYearOf('2099-12-31T23:59:59Z').label).toBe('2099/00');
    expect(parseRegulatoryYear('2024-25')).toEqual({ label: '2024/25', startYear: 2024 });
    expect(parseRegulatoryYear('2024').label).toBe('2024/25');
    for (const bad of ['2024/26', '24/25', 'last year']) expect(() => parseRegulatoryYear(bad)).toThrow(/Regulatory Year/);
  });
});

describe('the tariff', () => {
  it('has the brief defaults in pence, the re-flash figure marked as a placeholder', () => {
    const t = resolveTariff({ defaults: BRIEF_TARIFF, years: {} }, '2026/27');
    const pence = (line: string, v: string): number | undefined => t.find((e) => e.serviceLine === line && e.hanVariant === v)?.pence;
    expect(pence('returned-redeployed', 'SingleBand')).toBe(827);
    expect(pence('returned-not-redeployed', 'SingleBand')).toBe(3087);
    expect(pence('returned-not-redeployed', 'DualBand')).toBe(5875);
    expect(t.filter((e) => e.placeholder).map((e) => e.serviceLine)).toEqual(['reflash', 'reflash']);
    expect(t.every((e) => Number.isInteger(e.pence))).toBe(true);
    expect(formatPence(5875)).toBe('£58.75');
  });

  it('takes a year from the config, then from an admin', () => {
    const config = { defaults: BRIEF_TARIFF, years: { '2026/27': { reflash: { DualBand: 1200 } } } };
    const dual = (year: string, admin?: object) => resolveTariff(config, year, admin).find((e) => e.serviceLine === 'reflash' && e.hanVariant === 'DualBand');
    expect(dual('2026/27')).toMatchObject({ pence: 1200, source: 'config', placeholder: false });
    expect(dual('2027/28')).toMatchObject({ pence: 827, source: 'default', placeholder: true });
    expect(dual('2026/27', { reflash: { DualBand: 1300 } })).toMatchObject({ pence: 1300, source: 'admin' });
  });
});

describe('charge lines', () => {
  let h: Harness;
  let image: FirmwareEntry;
  beforeEach(async () => {
    h = await openHarness();
    image = await h.addImage();
  });
  afterEach(() => h.close());

  it('are written for each hub of a return-for-re-flash order when it is delivered, priced for the year', async () => {
    const orderId = await verifiedOrder(h, image, 3, { kind: 'return-for-reflash' });
    await h.desk.setTariff('2026-27', { reflash: { DualBand: 1100 } }, 'token:a1:Ada');
    const { asn } = await h.desk.issueAsn(orderId, OPERATOR);
    const { charges, order } = await h.desk.confirmDelivery(asn.asnId, OPERATOR, { at: '2026-12-01T09:00:00.000Z' });
    expect(order.status).toBe('fulfilled');
    expect(charges.map((c) => [c.chfId, c.hanVariant, c.serviceLine, c.pence, c.regulatoryYear]).sort()).toEqual([
      [chf(0), 'DualBand', 'reflash', 1100, '2026/27'],
      [chf(1), 'SingleBand', 'reflash', 827, '2026/27'],
      [chf(2), 'DualBand', 'reflash', 1100, '2026/27'],
    ]);
    expect(charges.filter((c) => c.placeholder).map((c) => c.chfId)).toEqual([chf(1)]);
    const report = await h.desk.charges({ partyId: 'SUPPLIER-A', from: '2026-12-01', to: '2026-12-01' });
    expect(report.totals).toMatchObject({ hubs: 3, pence: 3027, byRegulatoryYear: { '2026/27': 3027 } });
    expect(report.placeholderUsed).toBe(true);
    expect((await h.desk.charges({ partyId: 'SUPPLIER-A', from: '2026-12-02' })).lines).toEqual([]);
    expect((await h.desk.charges({ partyId: 'SUPPLIER-B' })).lines).toEqual([]);
    const rows = parse(chargesToCsv(report), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.chfId, r.pence, r.amount]).sort()).toEqual([
      [chf(0), '1100', '£11.00'],
      [chf(1), '827', '£8.27'],
      [chf(2), '1100', '£11.00'],
    ]);
    // A later tariff change does not touch lines already written.
    await h.desk.setTariff('2026/27', { reflash: { DualBand: 2000 } }, 'token:a1:Ada');
    expect((await h.desk.charges({})).totals.pence).toBe(3027);
    await rejection(h.desk.confirmDelivery(asn.asnId, OPERATOR), ErrorCode.AsnNotLive);
    expect((await h.desk.charges({})).lines).toHaveLength(3);
    expect((await h.desk.custody(chf(0))).current).toBe('delivered');
  });

  it('are never written for supply-chain uplift', async () => {
    const orderId = await verifiedOrder(h, image, 2);
    const { asn } = await h.desk.issueAsn(orderId, OPERATOR);
    const { charges } = await h.desk.confirmDelivery(asn.asnId, OPERATOR);
    expect(charges).toEqual([]);
    expect((await h.desk.charges({})).lines).toEqual([]);
  });

  it('charge a hub returned again, on its new order, once more', async () => {
    const first = await verifiedOrder(h, image, 1, { kind: 'return-for-reflash' });
    await h.desk.confirmDelivery((await h.desk.issueAsn(first, OPERATOR)).asn.asnId, OPERATOR);
    // Delivered, the hub may be returned again on a new order.
    const second = await h.desk.take(orderInput({ reference: 'PO-2', hubs: [chf(0)] }), OPERATOR);
    expect(second.rejected).toEqual([]);
    expect((await h.inventory.get(chf(0)))!.custody).toBe('in-transit-to-csp');
    await h.desk.receive(second.order.orderId, {}, OPERATOR);
    await markVerified(h, second.order.orderId, [chf(0)]);
    await h.desk.confirmDelivery((await h.desk.issueAsn(second.order.orderId, OPERATOR)).asn.asnId, OPERATOR);
    expect((await h.desk.charges({ partyId: 'SUPPLIER-A' })).lines.map((l) => [l.orderId, l.chfId])).toEqual([
      [first, chf(0)],
      [second.order.orderId, chf(0)],
    ]);
  });

  it('refuses a tariff in pounds or for an unknown service line', async () => {
    await rejection(h.desk.setTariff('2026/27', { reflash: { DualBand: 8.27 } }, 'a'), ErrorCode.TariffInvalid);
    await rejection(h.desk.setTariff('2026/27', { polishing: { DualBand: 100 } }, 'a'), ErrorCode.TariffInvalid);
    await rejection(h.desk.setTariff('2026/28', { reflash: { DualBand: 100 } }, 'a'), ErrorCode.TariffInvalid);
    await rejection(h.desk.charges({ from: 'yesterday' }), ErrorCode.ReportRangeInvalid);
  });
});
