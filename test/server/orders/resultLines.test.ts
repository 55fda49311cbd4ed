import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, formatErrorCode } from '../../../protocol/errors/index.ts';
import type { FirmwareEntry } from '../../../server/domain/catalogue/Catalogue.ts';
import { chf, hubRecord, jobRequestFor, OPERATOR, openHarness, orderInput, resultFor, verifiedOrder, type Harness } from './harness.ts';

const code = (c: ErrorCode): string => formatErrorCode(c);
const FAILURE = { code: 'HF0304', name: 'DeviceFlashFailure', message: 'flash write failed' };
/** A failed result that finished at 09:00, before the 10:00:30 of resultFor's default. */
const EARLIER = { outcome: 'failed' as const, error: FAILURE, imageHash: undefined, startedAt: '2026-11-28T08:59:00.000Z', finishedAt: '2026-11-28T09:00:00.000Z' };

/** What a rig's result does to the hub's order line (docs/orders.md, "Jobs for rigs"). */
describe('results on order lines', () => {
  let h: Harness;
  let image: FirmwareEntry;
  beforeEach(async () => {
    h = await openHarness();
    image = await h.addImage();
  });
  afterEach(() => h.close());

  const line = async (orderId: string) => (await h.desk.lines(orderId))[0]!;

  describe('a hub on a return order', () => {
    beforeEach(async () => {
      await h.addHubs([hubRecord(0)]);
      await h.desk.take(orderInput({ hubs: [chf(0)] }), OPERATOR);
      await h.desk.receive('ORD-000001', {}, OPERATOR);
    });

    it("a result older than the one that moved the line is late, even when a job request was the hub's latest reading", async () => {
      await h.report(resultFor(0, image)); // verified, finished 10:00:30
      const again = await h.desk.answerJob(jobRequestFor(0, { firmware: { version: image.fileVersion, hash: image.sha256 } }));
      expect(again.outcome).toBe('refused'); // already verified; the reading is kept all the same
      await h.report(resultFor(0, image, EARLIER));
      expect(await line('ORD-000001')).toMatchObject({ state: 'verified', resultFinishedAt: '2026-11-28T10:00:30.000Z' });
    });

    it("a result older than the hub's latest result reading is late on the hub's new order too", async () => {
      await h.report(resultFor(0, image)); // verified, finished 10:00:30
      await h.desk.cancelOrder('ORD-000001', 'withdrawn', OPERATOR);
      await h.desk.take(orderInput({ reference: 'PO-2', hubs: [chf(0)] }), OPERATOR);
      await h.report(resultFor(0, image, EARLIER)); // names ORD-000001, applies to ORD-000002
      expect(await line('ORD-000002')).toMatchObject({ state: 'expected' });
      expect((await line('ORD-000002')).resultId).toBeUndefined();
      expect((await h.inventory.get(chf(0)))!.custody).toBe('in-transit-to-csp');
    });

    it('a result at the target version but with another hash leaves the line flashed, not verified', async () => {
      const sameVersion = await h.addImage({ payload: new Uint8Array(300).fill(9) }, { approve: false });
      expect(sameVersion.fileVersion).toBe(image.fileVersion);
      await h.report(resultFor(0, sameVersion));
      const l = await line('ORD-000001');
      expect([l.state, l.reason?.code]).toEqual(['flashed', code(ErrorCode.ResultNotAtTarget)]);
      expect((await h.inventory.get(chf(0)))!.firmwareHash).toBe(sameVersion.sha256);
      // The firmware changed all the same: the SMI is told.
      expect((await h.desk.smiChanges('2026-01-01')).map((c) => c.after.hash)).toEqual([sameVersion.sha256]);
    });

    it('records an SMI change only when the firmware changed: not for a verify of the image already there; yes for a new hash of the same version', async () => {
      await h.addHubs([hubRecord(0, { firmwareVersion: image.fileVersion, firmwareHash: image.sha256, custody: 'at-csp' })]);
      await h.report(resultFor(0, image, { from: { version: image.fileVersion, hash: image.sha256 } }));
      expect((await line('ORD-000001')).state).toBe('verified');
      expect(await h.desk.smiChanges('2026-01-01')).toEqual([]);

      const rebuilt = await h.addImage({ payload: new Uint8Array(300).fill(9) }, { approve: false });
      await h.report(resultFor(0, rebuilt, { from: { version: image.fileVersion, hash: image.sha256 }, finishedAt: '2026-11-28T10:05:00.000Z' }));
      expect((await h.desk.smiChanges('2026-01-01')).map((c) => [c.before.hash, c.after.hash])).toEqual([[image.sha256, rebuilt.sha256]]);
    });

    it('a result the inventory refused (the hub is installed) fails the line with that reason, and tells the SMI nothing', async () => {
      await h.addHubs([hubRecord(0, { smiStatus: 'Commissioned', custody: 'at-csp' })]);
      await h.report(resultFor(0, image));
      const l = await line('ORD-000001');
      expect([l.state, l.reason?.code]).toEqual(['failed', code(ErrorCode.ResultHubInstalled)]);
      expect((await h.inventory.get(chf(0)))!.firmwareVersion).toBe('01260300');
      expect(await h.desk.smiChanges('2026-01-01')).toEqual([]);
    });
  });

  it('a result for a hub already shipped or delivered moves its line no more', async () => {
    const orderId = await verifiedOrder(h, image, 1);
    const { asn } = await h.desk.issueAsn(orderId, OPERATOR);
    await h.report(resultFor(0, image, { outcome: 'failed', error: FAILURE, imageHash: undefined }));
    expect(await line(orderId)).toMatchObject({ state: 'shipped', asnId: asn.asnId });
    expect((await h.inventory.get(chf(0)))!.custody).toBe('in-transit-to-user');

    await h.desk.confirmDelivery(asn.asnId, OPERATOR);
    await h.report(resultFor(0, image, { outcome: 'failed', error: FAILURE, imageHash: undefined, finishedAt: '2026-11-28T11:00:00.000Z' }));
    expect(await line(orderId)).toMatchObject({ state: 'delivered', asnId: asn.asnId });
    expect((await h.inventory.get(chf(0)))!.custody).toBe('delivered');
  });
});
