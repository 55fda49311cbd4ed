import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FirmwareEntry } from '../../../server/domain/catalogue/Catalogue.ts';
import { putLine } from '../../../server/domain/orders/orderStore.ts';
import { chf, hubRecord, jobRequestFor, OPERATOR, openHarness, verifiedOrder, type Harness } from '../orders/harness.ts';

/** Each discrepancy kind of docs/orders.md ("Reconciliation") found on its own. */
describe('reconciliation, kind by kind', () => {
  let h: Harness;
  let image: FirmwareEntry;
  beforeEach(async () => {
    h = await openHarness();
    image = await h.addImage();
    await h.addHubs([0, 1, 2, 3, 4].map((i) => hubRecord(i, { firmwareHash: 'c'.repeat(64) })));
  });
  afterEach(() => h.close());

  const itemsOf = async (i: number) => (await h.desk.reconcile()).items.filter((x) => x.chfId === chf(i));

  it('hardware-mismatch: another manufacturer code alone', async () => {
    await h.desk.answerJob(jobRequestFor(1, { manufacturerCode: 0x1234, firmware: { version: '01260300', hash: 'c'.repeat(64) } }));
    const items = await itemsOf(1);
    expect(items.map((i) => [i.kind, i.rigId])).toEqual([['hardware-mismatch', 'RIG-01']]);
    expect(items[0]!.detail).toBe('Rig RIG-01 read manufacturer 0x1234 hardware 0x1111; the inventory has 0x121D 0x1111');
  });

  it('firmware-mismatch: the same version with another hash', async () => {
    await h.desk.answerJob(jobRequestFor(2, { firmware: { version: '01260300', hash: 'd'.repeat(64) } }));
    const items = await itemsOf(2);
    expect(items.map((i) => i.kind)).toEqual(['firmware-mismatch']);
    expect(items[0]!.detail).toContain(`(${'d'.repeat(64)})`);
  });

  it('duplicate-id: one reading of the CHF ID with a GPF ID the inventory does not have', async () => {
    await h.desk.answerJob(jobRequestFor(3, { gpfId: chf(60, true), firmware: { version: '01260300', hash: 'c'.repeat(64) } }));
    const items = await itemsOf(3);
    expect(items.map((i) => i.kind)).toEqual(['duplicate-id']);
    expect(items[0]!.detail).toContain(`read GPF ID ${chf(60, true)} with this CHF ID; the inventory has GPF ${chf(3, true)}`);
  });

  it('status-forbids-flashing only for an installed hub that a rig read or that is on an order or ASN, not one left alone', async () => {
    await h.addHubs([hubRecord(4, { smiStatus: 'Commissioned' }), hubRecord(0, { smiStatus: 'InstalledNotCommissioned' })]);
    await h.desk.answerJob(jobRequestFor(0, { firmware: { version: '01260300', hash: 'c'.repeat(64) } }));
    const report = await h.desk.reconcile();
    expect(report.items.map((i) => [i.kind, i.chfId])).toEqual([['status-forbids-flashing', chf(0)]]);
  });

  it('flashed-not-on-asn for a flashed hub as for a verified one, and neither once on a live ASN', async () => {
    const orderId = await verifiedOrder(h, image, 2, { from: 10 });
    const [first] = await h.desk.lines(orderId);
    await h.store.batch([putLine(orderId, { ...first!, state: 'flashed' })]);
    const before = (await h.desk.reconcile({ kinds: ['flashed-not-on-asn'] })).items;
    expect(before.map((i) => [i.chfId, i.orderId, i.detail.slice(0, 17)])).toEqual([
      [chf(10), orderId, 'Flashed (flashed)'],
      [chf(11), orderId, 'Flashed (verified'],
    ]);
    await h.desk.issueAsn(orderId, OPERATOR);
    expect((await h.desk.reconcile()).items.map((i) => [i.kind, i.chfId])).toEqual([['flashed-not-on-asn', chf(10)]]);
  });

  it('on-asn-not-verified: a hub on a live ASN whose firmware hash alone is no longer the target', async () => {
    const orderId = await verifiedOrder(h, image, 1, { from: 10 });
    const { asn } = await h.desk.issueAsn(orderId, OPERATOR);
    expect((await h.desk.reconcile()).items).toEqual([]);
    await h.addHubs([hubRecord(10, { firmwareVersion: image.fileVersion, firmwareHash: 'e'.repeat(64), custody: 'in-transit-to-user' })]);
    const items = (await h.desk.reconcile()).items;
    expect(items.map((i) => [i.kind, i.chfId, i.asnId, i.orderId])).toEqual([['on-asn-not-verified', chf(10), asn.asnId, orderId]]);
  });

  it('with kinds asked for, counts and lists only those kinds', async () => {
    await h.desk.answerJob(jobRequestFor(1, { manufacturerCode: 0x1234, firmware: { version: '01260300', hash: 'd'.repeat(64) } })); // hardware- and firmware-mismatch
    const all = await h.desk.reconcile();
    expect(all.counts).toMatchObject({ 'hardware-mismatch': 1, 'firmware-mismatch': 1 });
    const only = await h.desk.reconcile({ kinds: ['firmware-mismatch'] });
    expect(only.items.map((i) => i.kind)).toEqual(['firmware-mismatch']);
    expect(only.counts).toMatchObject({ 'hardware-mismatch': 0, 'firmware-mismatch': 1 });
    expect(only.truncated).toBe(false);
  });
});
