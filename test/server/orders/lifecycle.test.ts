import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors/index.ts';
import { makeSscc } from '../../../protocol/ids/index.ts';
import { chf, hubRecord, markVerified, OPERATOR, openHarness, orderInput, rejection, verifiedOrder, type Harness } from './harness.ts';

describe('receiving and cancelling orders', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness();
    await h.addImage();
    await h.addHubs([0, 1, 2, 3].map((i) => hubRecord(i)));
  });
  afterEach(() => h.close());

  it('receives by carton SSCC, then the rest; receiving again changes nothing', async () => {
    const carton = makeSscc(0, '5099999', 7);
    await h.desk.take(orderInput({ arrivals: [{ type: 'carton', sscc: carton, hubs: [chf(0), chf(1)] }, { type: 'unit', chfId: chf(2) }] }), OPERATOR);
    expect((await h.desk.receive('ORD-000001', { ssccs: [carton] }, OPERATOR)).received).toBe(2);
    expect((await h.inventory.get(chf(2)))!.custody).toBe('in-transit-to-csp');
    expect((await h.desk.receive('ORD-000001', {}, OPERATOR)).received).toBe(1);
    expect((await h.desk.receive('ORD-000001', {}, OPERATOR)).received).toBe(0);
    expect((await h.desk.custody(chf(0))).lines).toHaveLength(2);
    const err = await rejection(h.desk.receive('ORD-000001', { ssccs: [makeSscc(0, '5099999', 8)], chfIds: [chf(3)] }, OPERATOR), ErrorCode.HubNotOnOrder);
    expect(err.message).toContain(chf(3));
    await rejection(h.desk.receive('ORD-000404', {}, OPERATOR), ErrorCode.OrderNotFound);
  });

  it('cancels an order, releasing its hubs for another order; refused while a hub is on a live ASN', async () => {
    await h.desk.take(orderInput({ hubs: [chf(0), chf(1)] }), OPERATOR);
    const cancelled = await h.desk.cancelOrder('ORD-000001', 'party withdrew it', OPERATOR);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'party withdrew it', cancelledBy: OPERATOR });
    await rejection(h.desk.receive('ORD-000001', {}, OPERATOR), ErrorCode.OrderNotLive);
    expect((await h.desk.take(orderInput({ reference: 'PO-2', hubs: [chf(0)] }), OPERATOR)).rejected).toEqual([]);

    const image = (await h.catalogue.list())[0]!;
    const shipping = await verifiedOrder(h, image, 1, { from: 10, reference: 'PO-3' });
    const { asn } = await h.desk.issueAsn(shipping, OPERATOR);
    const err = await rejection(h.desk.cancelOrder(shipping, 'x', OPERATOR), ErrorCode.OrderHasLiveAsn);
    expect(err.message).toContain(asn.asnId);
    await h.desk.cancelAsn(asn.asnId, 'wrong order', OPERATOR);
    expect((await h.desk.cancelOrder(shipping, 'x', OPERATOR)).status).toBe('cancelled');
    expect((await h.audit.list(0, 1000)).map((e) => e.action)).toContain('order.cancel');
  });

  it('cancelling an order leaves alone a hub delivered from it that is now on a newer order', async () => {
    const image = (await h.catalogue.list())[0]!;
    await h.addHubs([10, 11].map((i) => hubRecord(i, { firmwareVersion: image.fileVersion, firmwareHash: image.sha256, firmwareSource: 'rig', custody: 'at-csp' })));
    const a = (await h.desk.take(orderInput({ kind: 'supply-chain-uplift', reference: 'PO-A', hubs: [chf(10), chf(11)] }), OPERATOR)).order.orderId;
    await markVerified(h, a, [chf(10)]);
    const { asn } = await h.desk.issueAsn(a, OPERATOR);
    await h.desk.confirmDelivery(asn.asnId, OPERATOR);
    expect((await h.desk.order(a)).order.status).toBe('open'); // hub 11 is still to come
    // Hub 10 comes back on a new order; then the first order is cancelled.
    const b = await h.desk.take(orderInput({ reference: 'PO-B', hubs: [chf(10)] }), OPERATOR);
    expect(b.rejected).toEqual([]);
    await h.desk.cancelOrder(a, 'the rest never came', OPERATOR);
    // Hub 10 is still live on B: a third order may not take it too.
    const c = await h.desk.take(orderInput({ reference: 'PO-C', hubs: [chf(10), chf(11)] }), OPERATOR);
    expect(c.rejected.map((r) => r.chfId)).toEqual([chf(10)]);
  });
});
