import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors/index.ts';
import { asnHubs, type Asn } from '../../../server/domain/asn/model.ts';
import type { FirmwareEntry } from '../../../server/domain/catalogue/Catalogue.ts';
import { putLine } from '../../../server/domain/orders/orderStore.ts';
import { chf, hubRecord, markVerified, OPERATOR, openHarness, orderInput, rejection, verifiedOrder, type Harness } from '../orders/harness.ts';

const onAsn = (asn: Asn): string[] => [...asnHubs(asn)].map(({ hub }) => hub.chfId).sort();

/** Only hubs verified at their target, at the CSP and not installed go on an ASN (docs/orders.md, "ASNs"). */
describe('what an ASN leaves out', () => {
  let h: Harness;
  let image: FirmwareEntry;
  beforeEach(async () => {
    h = await openHarness({ asn: { hubsPerCarton: 10, cartonsPerPallet: 2 } });
    image = await h.addImage();
  });
  afterEach(() => h.close());

  /** Hub i as verifiedOrder leaves it (at the target, at the CSP), with changes. */
  const atTarget = (i: number, over: Parameters<typeof hubRecord>[1] = {}) =>
    hubRecord(i, { firmwareVersion: image.fileVersion, firmwareHash: image.sha256, firmwareSource: 'rig', custody: 'at-csp', ...over });

  it('leaves out a verified hub the inventory shows on other firmware: another version, or the target version with another hash', async () => {
    const orderId = await verifiedOrder(h, image, 4);
    await h.addHubs([atTarget(1, { firmwareVersion: '01260300', firmwareHash: undefined }), atTarget(2, { firmwareHash: 'e'.repeat(64) })]);
    const { asn, skipped } = await h.desk.issueAsn(orderId, OPERATOR);
    expect(onAsn(asn)).toEqual([chf(0), chf(3)]);
    expect(skipped.map((s) => s.chfId).sort()).toEqual([chf(1), chf(2)]);
    expect(skipped.find((s) => s.chfId === chf(2))!.reason).toContain('e'.repeat(64));
    const lines = Object.fromEntries((await h.desk.lines(orderId)).map((l) => [l.chfId, l.state]));
    expect(lines).toEqual({ [chf(0)]: 'shipped', [chf(1)]: 'verified', [chf(2)]: 'verified', [chf(3)]: 'shipped' });
    expect((await h.inventory.get(chf(2)))!.custody).toBe('at-csp');
  });

  it('leaves out an installed hub', async () => {
    const orderId = await verifiedOrder(h, image, 2);
    await h.addHubs([atTarget(1, { smiStatus: 'InstalledNotCommissioned' })]);
    const { asn, skipped } = await h.desk.issueAsn(orderId, OPERATOR);
    expect(onAsn(asn)).toEqual([chf(0)]);
    expect(skipped).toEqual([{ chfId: chf(1), reason: expect.stringContaining('InstalledNotCommissioned') }]);
  });

  it('leaves out a hub that is not at the CSP, and refuses an ASN when no hub is', async () => {
    const orderId = await verifiedOrder(h, image, 3);
    await h.addHubs([atTarget(1, { custody: 'in-transit-to-csp' }), atTarget(2, { custody: 'with-user' })]);
    const { asn, skipped } = await h.desk.issueAsn(orderId, OPERATOR);
    expect(onAsn(asn)).toEqual([chf(0)]);
    expect(skipped.map((s) => [s.chfId, s.reason]).sort()).toEqual([
      [chf(1), 'it is in transit to the CSP, not at the CSP'],
      [chf(2), 'it is with the User, not at the CSP'],
    ]);
    expect((await h.inventory.get(chf(2)))!.custody).toBe('with-user');

    const alone = await verifiedOrder(h, image, 1, { from: 10, reference: 'PO-2' });
    await h.addHubs([atTarget(10, { custody: 'delivered' })]);
    const err = await rejection(h.desk.issueAsn(alone, OPERATOR), ErrorCode.AsnNothingEligible);
    expect(err.message).toContain(`${chf(10)}: it is delivered, not at the CSP`);
  });

  it('packs each model in cartons of its own, even with room left and the same HAN variant', async () => {
    // Four Dual Band hubs of two models, cartons of 10: two cartons, one model each.
    await h.addHubs([0, 2].map((i) => atTarget(i)).concat([4, 6].map((i) => atTarget(i, { model: 'TOSH-CH1' }))));
    const targets = [
      { model: 'EDMI-CH2', firmwareVersion: '2.0.1' },
      { model: 'TOSH-CH1', firmwareVersion: '2.0.1' },
    ];
    const ids = [0, 2, 4, 6].map((i) => chf(i));
    const { order } = await h.desk.take(orderInput({ kind: 'supply-chain-uplift', hubs: ids, targets }), OPERATOR);
    await markVerified(h, order.orderId, ids);
    const { asn } = await h.desk.issueAsn(order.orderId, OPERATOR);
    const cartons = asn.pallets.flatMap((p) => p.cartons).map((c) => c.hubs.map((x) => [x.model, x.chfId]));
    expect(cartons).toEqual([
      [['EDMI-CH2', chf(0)], ['EDMI-CH2', chf(2)]],
      [['TOSH-CH1', chf(4)], ['TOSH-CH1', chf(6)]],
    ]);
    expect(asn.totals).toEqual({ pallets: 1, cartons: 2, hubs: 4 });
  });

  it('a replacement ASN replaces the old one: its hubs (less those removed or no longer at the target) plus those verified since, each on one live ASN', async () => {
    const orderId = await verifiedOrder(h, image, 5);
    // Hub 4 is not verified yet when the first ASN is issued.
    const [line4] = await h.desk.lines(orderId).then((ls) => ls.filter((l) => l.chfId === chf(4)));
    await h.store.batch([putLine(orderId, { ...line4!, state: 'on-rig' })]);
    const first = await h.desk.issueAsn(orderId, OPERATOR);
    expect(onAsn(first.asn)).toEqual([chf(0), chf(1), chf(2), chf(3)]);
    // Hub 4 is verified since; hub 2's firmware is no longer the target (a rig re-read it).
    await markVerified(h, orderId, [chf(4)]);
    await h.addHubs([atTarget(2, { firmwareVersion: '01260300', firmwareHash: undefined, custody: 'in-transit-to-user' })]);

    const r = await h.desk.replaceAsn(first.asn.asnId, OPERATOR, { remove: [chf(1)], reason: 'damaged' });
    expect(onAsn(r.asn)).toEqual([chf(0), chf(3), chf(4)]);
    expect(r.asn.totals.hubs).toBe(3);
    expect(r.skipped.map((s) => s.chfId)).toEqual([chf(2)]);
    // The old ASN keeps what it had, as superseded; the order's ASNs list both.
    expect(onAsn(await h.desk.asn(first.asn.asnId))).toEqual([chf(0), chf(1), chf(2), chf(3)]);
    expect((await h.desk.asns({ orderId })).map((a) => [a.asnId, a.status])).toEqual([
      [first.asn.asnId, 'superseded'],
      [r.asn.asnId, 'live'],
    ]);
    const lines = Object.fromEntries((await h.desk.lines(orderId)).map((l) => [l.chfId, [l.state, l.asnId]]));
    expect(lines).toEqual({
      [chf(0)]: ['shipped', r.asn.asnId],
      [chf(1)]: ['verified', undefined], // removed: back on the shelf, still verified
      [chf(2)]: ['received', undefined], // no longer at the target: back in the queue for a rig
      [chf(3)]: ['shipped', r.asn.asnId],
      [chf(4)]: ['shipped', r.asn.asnId],
    });
    const custody = await Promise.all([0, 1, 2, 3, 4].map(async (i) => (await h.inventory.get(chf(i)))!.custody));
    expect(custody).toEqual(['in-transit-to-user', 'at-csp', 'at-csp', 'in-transit-to-user', 'in-transit-to-user']);
    // Hub 0 was dispatched once: the replacement adds no second dispatch to its ledger.
    expect((await h.desk.custody(chf(0))).lines.filter((l) => l.event === 'dispatched')).toHaveLength(1);
    expect((await h.desk.custody(chf(4))).lines.at(-1)).toMatchObject({ event: 'dispatched', asnId: r.asn.asnId });

    // Only the removed hub is left to ship; the replacement delivers the rest.
    const again = await h.desk.issueAsn(orderId, OPERATOR);
    expect(onAsn(again.asn)).toEqual([chf(1)]);
    const delivered = await h.desk.confirmDelivery(r.asn.asnId, OPERATOR);
    expect(delivered.asn.totals.hubs).toBe(3);
    expect((await h.desk.lines(orderId, { state: 'delivered' })).map((l) => l.chfId)).toEqual([chf(0), chf(3), chf(4)]);
  });
});
