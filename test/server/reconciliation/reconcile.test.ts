import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FirmwareEntry } from '../../../server/domain/catalogue/Catalogue.ts';
import { EXCEPTION_KINDS } from '../../../server/domain/reconciliation/model.ts';
import { chf, hubRecord, jobRequestFor, OPERATOR, openHarness, orderInput, resultFor, verifiedOrder, type Harness } from '../orders/harness.ts';

describe('reconciliation', () => {
  let h: Harness;
  let image: FirmwareEntry;
  beforeEach(async () => {
    h = await openHarness();
    image = await h.addImage();
    await h.addHubs([0, 1, 2, 3, 4, 5, 6, 7].map((i) => hubRecord(i)));
  });
  afterEach(() => h.close());

  it('finds nothing when rigs, inventory, orders and ASNs agree', async () => {
    await h.desk.take(orderInput({ hubs: [chf(0)] }), OPERATOR);
    await h.desk.answerJob(jobRequestFor(0));
    const report = await h.desk.reconcile();
    expect(report.items).toEqual([]);
    expect(report).toMatchObject({ hubsChecked: 8, readingsChecked: 1, truncated: false });
  });

  it('lists every kind of disagreement, each with what to do next', async () => {
    // Rigs read hubs that disagree with the inventory (readings are kept even when refused).
    await h.desk.answerJob(jobRequestFor(90)); // unknown to the inventory
    await h.addHubs([hubRecord(1, { smiStatus: 'Commissioned' })]);
    await h.desk.answerJob(jobRequestFor(1));
    await h.desk.answerJob(jobRequestFor(2, { model: 'TOSH-CH1' }));
    await h.desk.answerJob(jobRequestFor(3, { hanVariant: 'DualBand' }));
    await h.desk.answerJob(jobRequestFor(4, { hardwareVersion: 0x1200 }));
    await h.desk.answerJob(jobRequestFor(5, { firmware: { version: '01250000' } }));
    // Two devices share a GPF ID in the inventory; a CHF ID read with two GPF IDs.
    await h.addHubs([hubRecord(6, { gpfId: chf(7, true) })]);
    await h.desk.answerJob(jobRequestFor(0, { gpfId: chf(50, true) }));
    await h.desk.answerJob(jobRequestFor(0));
    // A hub verified but on no ASN; a hub on an ASN whose firmware no longer matches.
    const orderA = await verifiedOrder(h, image, 1, { from: 20, reference: 'PO-A' });
    const orderB = await verifiedOrder(h, image, 1, { from: 21, reference: 'PO-B' });
    await h.desk.issueAsn(orderB, OPERATOR);
    await h.addHubs([hubRecord(21, { firmwareVersion: '01260300', custody: 'in-transit-to-user' })]);
    // A hub on a live order that nobody knows.
    await h.desk.take(orderInput({ reference: 'PO-C', hubs: [chf(0), chf(91)] }), OPERATOR);

    const report = await h.desk.reconcile();
    const found = report.items.map((i) => [i.kind, i.chfId]).sort();
    expect(found).toEqual(
      [
        ['unknown-hub', chf(90)],
        ['unknown-hub', chf(91)],
        ['status-forbids-flashing', chf(1)],
        ['model-mismatch', chf(2)],
        ['variant-mismatch', chf(3)],
        ['hardware-mismatch', chf(4)],
        ['firmware-mismatch', chf(5)],
        ['duplicate-id', chf(0)],
        ['duplicate-id', chf(6)],
        ['duplicate-id', chf(7)],
        ['flashed-not-on-asn', chf(20)],
        ['on-asn-not-verified', chf(21)],
      ].sort(),
    );
    for (const item of report.items) expect(item.action).toBe(EXCEPTION_KINDS[item.kind]);
    expect(report.items.find((i) => i.kind === 'flashed-not-on-asn')).toMatchObject({ orderId: orderA });
    expect(report.items.find((i) => i.kind === 'on-asn-not-verified')).toMatchObject({ asnId: 'ASN-00000001' });
    expect(report.items.find((i) => i.kind === 'model-mismatch')!.detail).toContain('TOSH-CH1');
    expect(report.counts['duplicate-id']).toBe(3);

    const limited = await h.desk.reconcile({ limit: 2 });
    expect([limited.items.length, limited.truncated, limited.counts]).toEqual([2, true, report.counts]);
    const onlyUnknown = await h.desk.reconcile({ kinds: ['unknown-hub'] });
    expect(onlyUnknown.items.map((i) => i.chfId)).toEqual([chf(90), chf(91)]);
  });

  it('sees a firmware difference reported by a rig result that the inventory refused', async () => {
    await h.addHubs([hubRecord(1, { smiStatus: 'InstalledNotCommissioned' })]);
    await h.report(resultFor(1, image, { orderId: undefined, jobId: undefined }));
    const kinds = (await h.desk.reconcile()).items.filter((i) => i.chfId === chf(1)).map((i) => i.kind);
    expect(kinds).toEqual(['status-forbids-flashing']);
  });

  it('refuses and lists a hub that reports itself installed although the SMI says it is stock', async () => {
    await h.desk.take(orderInput({ hubs: [chf(2)] }), OPERATOR);
    const answer = await h.desk.answerJob(jobRequestFor(2, { installState: 'Commissioned' }));
    expect(answer).toMatchObject({ outcome: 'refused', error: { code: 'HF0706' } });
    if (answer.outcome === 'refused') expect(answer.error.message).toMatch(/reports itself Commissioned/);
    const items = (await h.desk.reconcile()).items.filter((i) => i.chfId === chf(2));
    expect(items.map((i) => i.kind)).toEqual(['status-forbids-flashing']);
    expect(items[0]!.detail).toMatch(/reported itself Commissioned to rig RIG-01/);
    // A later reading of the same hub as not installed clears it (the reading is the latest word).
    await h.desk.answerJob(jobRequestFor(2, { installState: 'NotInstalled' }));
    expect((await h.desk.reconcile()).items.filter((i) => i.chfId === chf(2))).toEqual([]);
  });

  it('lists a hub whose result says it reported itself installed', async () => {
    await h.report(resultFor(3, image, { outcome: 'ineligible', imageHash: undefined, hub: { ...resultFor(3, image).hub, installState: 'InstalledNotCommissioned' }, orderId: undefined, jobId: undefined }));
    const items = (await h.desk.reconcile()).items.filter((i) => i.chfId === chf(3));
    expect(items.map((i) => [i.kind, i.rigId])).toEqual([['status-forbids-flashing', 'RIG-01']]);
  });
});
