import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, formatErrorCode } from '../../../protocol/errors/index.ts';
import type { FirmwareEntry } from '../../../server/domain/catalogue/Catalogue.ts';
import { chf, hubRecord, jobRequestFor, OPERATOR, openHarness, orderInput, resultFor, type Harness } from './harness.ts';

/** docs/orders.md: "An order is fulfilled when every hub is delivered or ineligible; its hubs then leave the live-order index." */
describe('fulfilling an order', () => {
  let h: Harness;
  let image: FirmwareEntry;
  beforeEach(async () => {
    h = await openHarness();
    image = await h.addImage();
    await h.addHubs([0, 1, 2].map((i) => hubRecord(i, { custody: 'at-csp' })));
  });
  afterEach(() => h.close());

  /** Hub 0 of an uplift order of hubs `ids` flashed, shipped and delivered. */
  async function deliverHub0(ids: number[]): Promise<string> {
    const { order } = await h.desk.take(orderInput({ kind: 'supply-chain-uplift', hubs: ids.map((i) => chf(i)) }), OPERATOR);
    expect((await h.desk.answerJob(jobRequestFor(0))).outcome).toBe('job');
    await h.report(resultFor(0, image, { orderId: order.orderId, jobId: `${order.orderId}:${chf(0)}` }));
    const { asn } = await h.desk.issueAsn(order.orderId, OPERATOR);
    const delivered = await h.desk.confirmDelivery(asn.asnId, OPERATOR);
    expect(delivered.order.status).toBe('open');
    return order.orderId;
  }

  it('is fulfilled when its last open hub is found ineligible after the others were delivered; that hub leaves the live-order index', async () => {
    const orderId = await deliverHub0([0, 1]);
    h.clock.advance(60_000);
    const answer = await h.desk.answerJob(jobRequestFor(1, { installState: 'Commissioned' }));
    expect(answer).toMatchObject({ outcome: 'refused', error: { code: formatErrorCode(ErrorCode.IneligibleInstalled) } });
    const { order, progress } = await h.desk.order(orderId);
    expect([order.status, order.fulfilledAt]).toEqual(['fulfilled', '2026-11-28T10:01:00.000Z']);
    expect(progress).toMatchObject({ delivered: 1, ineligible: 1 });
    // Off the live-order index: a new order may take it, and a rig gets no job for it on the old one.
    const again = await h.desk.answerJob(jobRequestFor(1));
    expect(again).toMatchObject({ outcome: 'refused', error: { code: formatErrorCode(ErrorCode.NoJobForHub) } });
    expect((await h.desk.take(orderInput({ kind: 'supply-chain-uplift', reference: 'PO-2', hubs: [chf(1)] }), OPERATOR)).rejected).toEqual([]);
  });

  it('stays open while another hub is still to be done', async () => {
    const orderId = await deliverHub0([0, 1, 2]);
    await h.desk.answerJob(jobRequestFor(1, { installState: 'Commissioned' }));
    expect((await h.desk.order(orderId)).order.status).toBe('open');
    // The last one found ineligible too: now it is fulfilled.
    await h.desk.answerJob(jobRequestFor(2, { hanVariant: 'SingleBand' }));
    expect((await h.desk.order(orderId)).order.status).toBe('fulfilled');
  });

  /** A rig's report that it found hub i ineligible on the device, for the job of `orderId`. */
  const foundIneligible = (i: number, orderId: string) =>
    resultFor(i, image, { outcome: 'ineligible', imageHash: undefined, bytesSent: 0, error: { code: 'HF0318', name: 'IneligibleInstalled', message: 'installed' }, orderId, jobId: `${orderId}:${chf(i)}` });

  it('is fulfilled when a rig reports its last open hub ineligible after the others were delivered', async () => {
    const orderId = await deliverHub0([0, 1]);
    await h.report(foundIneligible(1, orderId));
    const { order, progress } = await h.desk.order(orderId);
    expect(order.status).toBe('fulfilled');
    expect(progress).toMatchObject({ delivered: 1, ineligible: 1 });
    expect((await h.desk.take(orderInput({ kind: 'supply-chain-uplift', reference: 'PO-2', hubs: [chf(1)] }), OPERATOR)).rejected).toEqual([]);
  });

  it('is fulfilled when its last two open hubs are reported ineligible in one group of results (the second sees the first in the batch)', async () => {
    const orderId = await deliverHub0([0, 1, 2]);
    // A first group for another hub is being written while the two queue up behind it.
    const groupsBefore = h.ingestStats.results.groups;
    h.results.submit('RIG-01', resultFor(3, image, { orderId: undefined, jobId: undefined }));
    h.results.submit('RIG-01', foundIneligible(1, orderId));
    h.results.submit('RIG-01', foundIneligible(2, orderId));
    await h.results.idle();
    expect(h.ingestStats.results.groups).toBe(groupsBefore + 2);
    expect((await h.desk.order(orderId)).order.status).toBe('fulfilled');
  });

  it('stays open when none of its hubs was delivered: its ineligible hubs may be tried again', async () => {
    const { order } = await h.desk.take(orderInput({ kind: 'supply-chain-uplift', hubs: [chf(0)] }), OPERATOR);
    await h.desk.answerJob(jobRequestFor(0, { installState: 'Commissioned' }));
    expect((await h.desk.order(order.orderId)).order.status).toBe('open');
    expect((await h.desk.answerJob(jobRequestFor(0))).outcome).toBe('job');
  });
});
