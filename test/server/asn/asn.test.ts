import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors/index.ts';
import { validateSscc } from '../../../protocol/ids/index.ts';
import { asnHubs } from '../../../server/domain/asn/model.ts';
import type { FirmwareEntry } from '../../../server/domain/catalogue/Catalogue.ts';
import { chf, COMPANY_PREFIX, OPERATOR, openHarness, verifiedOrder, type Harness, rejection } from '../orders/harness.ts';
import { checkX12 } from './x12check.ts';

describe('ASNs', () => {
  let h: Harness;
  let image: FirmwareEntry;
  beforeEach(async () => {
    h = await openHarness({ asn: { hubsPerCarton: 2, cartonsPerPallet: 2 } });
    image = await h.addImage();
  });
  afterEach(() => h.close());

  it('issues an ASN for the verified hubs: new ID, new valid SSCCs, the hierarchy, hubs shipped and in transit', async () => {
    const orderId = await verifiedOrder(h, image, 7);
    const { asn, skipped } = await h.desk.issueAsn(orderId, OPERATOR);
    expect(skipped).toEqual([]);
    expect(asn).toMatchObject({ asnId: 'ASN-00000001', purpose: 'original', status: 'live', totals: { pallets: 2, cartons: 4, hubs: 7 }, order: { orderId, reference: 'PO-1' } });
    const ssccs = asn.pallets.flatMap((p) => [p.sscc, ...p.cartons.map((c) => c.sscc)]);
    expect(new Set(ssccs).size).toBe(6);
    for (const s of ssccs) expect(validateSscc(s).slice(1, 8)).toBe(COMPANY_PREFIX);
    const hub = [...asnHubs(asn)].find((x) => x.hub.chfId === chf(0))!.hub;
    expect(hub).toEqual({ chfId: chf(0), gpfId: chf(0, true), model: 'EDMI-CH2', hanVariant: 'DualBand', firmwareVersion: image.fileVersion, firmwareHash: image.sha256 });
    // A carton holds one HAN variant.
    for (const { cartons } of asn.pallets) for (const c of cartons) expect(new Set(c.hubs.map((x) => x.hanVariant)).size).toBe(1);
    expect((await h.desk.order(orderId)).progress.shipped).toBe(7);
    const ledger = await h.desk.custody(chf(0));
    expect(ledger.lines.at(-1)).toMatchObject({ from: 'at-csp', to: 'in-transit-to-user', event: 'dispatched', asnId: 'ASN-00000001' });
    expect((await h.audit.list()).at(-1)).toMatchObject({ action: 'asn.issue', subject: 'ASN-00000001' });
  });

  it('issuing twice never puts a hub on two live ASNs', async () => {
    const orderId = await verifiedOrder(h, image, 3);
    const first = await h.desk.issueAsn(orderId, OPERATOR);
    const err = await rejection(h.desk.issueAsn(orderId, OPERATOR), ErrorCode.AsnNothingEligible);
    expect(err.message).toContain('3 shipped');
    // Hubs verified later go on a second ASN, alone.
    const more = await verifiedOrder(h, image, 2, { from: 10, reference: 'PO-2' });
    const second = await h.desk.issueAsn(more, OPERATOR);
    expect(second.asn.asnId).toBe('ASN-00000002');
    const onFirst = new Set([...asnHubs(first.asn)].map((x) => x.hub.chfId));
    expect([...asnHubs(second.asn)].filter((x) => onFirst.has(x.hub.chfId))).toEqual([]);
  });

  it('refuses an ASN for an order with nothing verified, saying what its hubs are doing', async () => {
    const orderId = await verifiedOrder(h, image, 2);
    await h.store.batch((await h.desk.lines(orderId)).map((l) => ({ type: 'put' as const, key: `~l\x00${orderId}\x00${l.chfId}`, value: JSON.stringify({ ...l, state: 'on-rig' }) })));
    const err = await rejection(h.desk.issueAsn(orderId, OPERATOR), ErrorCode.AsnNothingEligible);
    expect(err.message).toContain('2 on-rig');
  });

  it('cancels an ASN, keeps it, and a re-issue gets a new ID and new SSCCs', async () => {
    const orderId = await verifiedOrder(h, image, 3);
    const first = await h.desk.issueAsn(orderId, OPERATOR);
    const cancelled = await h.desk.cancelAsn(first.asn.asnId, 'wrong depot', OPERATOR);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'wrong depot', cancelledBy: OPERATOR });
    expect((await h.inventory.get(chf(0)))!.custody).toBe('at-csp');
    expect((await h.desk.order(orderId)).progress.verified).toBe(3);
    await rejection(h.desk.cancelAsn(first.asn.asnId, 'again', OPERATOR), ErrorCode.AsnNotLive);

    const again = await h.desk.issueAsn(orderId, OPERATOR);
    expect(again.asn.asnId).toBe('ASN-00000002');
    const ssccsOf = (a: typeof first.asn): string[] => a.pallets.flatMap((p) => [p.sscc, ...p.cartons.map((c) => c.sscc)]);
    expect(ssccsOf(again.asn).filter((s) => ssccsOf(first.asn).includes(s))).toEqual([]);
    expect((await h.desk.asns({ orderId })).map((a) => [a.asnId, a.status])).toEqual([
      ['ASN-00000001', 'cancelled'],
      ['ASN-00000002', 'live'],
    ]);
    checkX12(await h.desk.asnX12('ASN-00000001'), await h.desk.asn('ASN-00000001'), '01');
  });

  it('never reuses an ASN number or SSCC serial across a restart', async () => {
    const orderId = await verifiedOrder(h, image, 2);
    const first = await h.desk.issueAsn(orderId, OPERATOR);
    await h.desk.cancelAsn(first.asn.asnId, 'test', OPERATOR);
    h = await h.restart();
    const again = await h.desk.issueAsn(orderId, OPERATOR);
    expect(again.asn.asnId).toBe('ASN-00000002');
    const lastSerial = (s: string): number => Number(s.slice(8, 17));
    const maxFirst = Math.max(...first.asn.pallets.flatMap((p) => [p.sscc, ...p.cartons.map((c) => c.sscc)]).map(lastSerial));
    expect(Math.min(...again.asn.pallets.flatMap((p) => [p.sscc, ...p.cartons.map((c) => c.sscc)]).map(lastSerial))).toBe(maxFirst + 1);
  });

  it('replaces an ASN: a new ID that supersedes the old, removed hubs back at the CSP, history kept', async () => {
    const orderId = await verifiedOrder(h, image, 4);
    const first = await h.desk.issueAsn(orderId, OPERATOR);
    const r = await h.desk.replaceAsn(first.asn.asnId, OPERATOR, { remove: [chf(1)], reason: 'damaged box' });
    expect(r.asn).toMatchObject({ asnId: 'ASN-00000002', purpose: 'replace', supersedes: 'ASN-00000001', totals: { hubs: 3 } });
    expect(r.replaced).toMatchObject({ asnId: 'ASN-00000001', status: 'superseded', supersededBy: 'ASN-00000002' });
    expect((await h.desk.asn('ASN-00000001')).totals.hubs).toBe(4);
    expect((await h.inventory.get(chf(1)))!.custody).toBe('at-csp');
    expect((await h.inventory.get(chf(0)))!.custody).toBe('in-transit-to-user');
    const lines = Object.fromEntries((await h.desk.lines(orderId)).map((l) => [l.chfId, [l.state, l.asnId]]));
    expect(lines[chf(1)]).toEqual(['verified', undefined]);
    expect(lines[chf(0)]).toEqual(['shipped', 'ASN-00000002']);
    await rejection(h.desk.replaceAsn('ASN-00000001', OPERATOR), ErrorCode.AsnNotLive);
    checkX12(await h.desk.asnX12('ASN-00000002'), await h.desk.asn('ASN-00000002'), '05');
    expect(await h.desk.asnX12('ASN-00000002')).toContain('REF*ZZ*ASN-00000001*REPLACES ASN~');
  });

  it('exports an ASN as CSV, one row per hub with its pallet and carton', async () => {
    const orderId = await verifiedOrder(h, image, 5);
    const { asn } = await h.desk.issueAsn(orderId, OPERATOR);
    const rows = parse(await h.desk.asnCsv(asn.asnId), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(5);
    expect(rows.map((r) => [r.chfId, r.palletSscc, r.cartonSscc, r.firmwareHash])).toEqual(
      [...asnHubs(asn)].map(({ pallet, carton, hub }) => [hub.chfId, pallet.sscc, carton.sscc, hub.firmwareHash]),
    );
  });
});

describe('an ASN over 10 000 hubs', () => {
  it('is issued on 21 pallets (the last one part-full), quickly, and its 856 parses with node-x12 with the right hierarchy and counts', async () => {
    const h = await openHarness();
    try {
      const image = await h.addImage();
      const orderId = await verifiedOrder(h, image, 10_001);
      const started = performance.now();
      const { asn } = await h.desk.issueAsn(orderId, OPERATOR);
      const ms = performance.now() - started;
      expect(asn.totals).toEqual({ pallets: 21, cartons: 1001, hubs: 10_001 });
      // 5 001 Dual Band hubs leave one part-full carton; the 21st pallet holds the last carton.
      expect(asn.pallets.flatMap((p) => p.cartons).filter((c) => c.hubs.length < 10).map((c) => c.hubs.length)).toEqual([1]);
      expect(asn.pallets.at(-1)!.cartons).toHaveLength(1);
      expect(ms).toBeLessThan(5000);
      checkX12(await h.desk.asnX12(asn.asnId), asn, '00');
      expect((await h.desk.order(orderId)).progress.shipped).toBe(10_001);
    } finally {
      await h.close();
    }
  });
});
