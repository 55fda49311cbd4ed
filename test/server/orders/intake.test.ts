import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, formatErrorCode } from '../../../protocol/errors/index.ts';
import { makeSscc } from '../../../protocol/ids/index.ts';
import { chf, hubRecord, OPERATOR, openHarness, orderInput, V_NEW, type Harness, rejection } from './harness.ts';

const code = (c: ErrorCode): string => formatErrorCode(c);

describe('taking an order', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness();
    await h.addImage();
    await h.addHubs([0, 1, 2, 3, 4, 5].map((i) => hubRecord(i)));
  });
  afterEach(() => h.close());

  it('takes eligible hubs: lines expected, custody in transit to the CSP with a ledger line, audited', async () => {
    const r = await h.desk.take(orderInput(), OPERATOR);
    expect(r.order.orderId).toBe('ORD-000001');
    expect(r.order.targets).toEqual([{ model: 'EDMI-CH2', firmwareVersion: '02000100' }]);
    expect(r.progress.expected).toBe(2);
    expect(r.ineligible).toEqual([]);
    const lines = await h.desk.lines('ORD-000001');
    expect(lines.map((l) => [l.chfId, l.state, l.target?.version])).toEqual([
      [chf(0), 'expected', '02000100'],
      [chf(1), 'expected', '02000100'],
    ]);
    const ledger = await h.desk.custody(chf(0));
    expect(ledger.current).toBe('in-transit-to-csp');
    expect(ledger.lines).toEqual([expect.objectContaining({ from: 'with-user', to: 'in-transit-to-csp', event: 'return-shipped', by: OPERATOR, orderId: 'ORD-000001', at: '2026-11-28T10:00:00.000Z' })]);
    expect(ledger.lines[0]!.place).toContain('SUPPLIER-A');
    const audit = await h.audit.list();
    expect(audit.at(-1)).toMatchObject({ action: 'order.take', subject: 'ORD-000001', actor: OPERATOR });
  });

  it('takes a supply-chain uplift order as received, at the CSP', async () => {
    await h.addHubs([hubRecord(9, { custody: 'at-csp' })]);
    const r = await h.desk.take(orderInput({ kind: 'supply-chain-uplift', party: { id: 'CSP-NORTH' }, hubs: [chf(9)] }), OPERATOR);
    expect(r.progress.received).toBe(1);
    expect((await h.desk.custody(chf(9))).current).toBe('at-csp');
  });

  it('refuses a second order with the same reference from the same party, and writes nothing', async () => {
    await h.desk.take(orderInput({ hubs: [chf(0)] }), OPERATOR);
    const err = await rejection(h.desk.take(orderInput({ hubs: [chf(2)] }), OPERATOR), ErrorCode.OrderDuplicate);
    expect(err.message).toContain('ORD-000001');
    expect((await h.inventory.get(chf(2)))!.custody).toBe('with-user');
    // Another party may use the same reference.
    const other = await h.desk.take(orderInput({ party: { id: 'SUPPLIER-B' }, hubs: [chf(2)] }), OPERATOR);
    expect(other.order.orderId).toBe('ORD-000002');
  });

  it('refuses an invalid SSCC, naming where it is and the check digit expected', async () => {
    const good = makeSscc(0, '5099999', 1);
    const bad = `${good.slice(0, 17)}${(Number(good[17]) + 1) % 10}`;
    const input = orderInput({ arrivals: [{ type: 'pallet', sscc: bad, cartons: [{ sscc: makeSscc(0, '5099999', 2), hubs: [chf(0)] }] }] });
    const err = await rejection(h.desk.take(input, OPERATOR), ErrorCode.OrderSsccInvalid);
    expect(err.message).toContain('arrivals[0].sscc');
    expect(err.message).toContain(`expected ${good[17]}`);
    expect(await h.desk.orders()).toEqual([]);
  });

  it('refuses an SSCC used twice in one order or already used by another order', async () => {
    const s1 = makeSscc(0, '5099999', 1);
    const twice = orderInput({ arrivals: [{ type: 'carton', sscc: s1, hubs: [chf(0)] }, { type: 'carton', sscc: s1, hubs: [chf(1)] }] });
    expect((await rejection(h.desk.take(twice, OPERATOR), ErrorCode.SsccDuplicate)).message).toContain('arrivals[1].sscc');
    await h.desk.take(orderInput({ arrivals: [{ type: 'carton', sscc: s1, hubs: [chf(0)] }] }), OPERATOR);
    const again = orderInput({ reference: 'PO-2', arrivals: [{ type: 'carton', sscc: s1, hubs: [chf(1)] }] });
    expect((await rejection(h.desk.take(again, OPERATOR), ErrorCode.SsccDuplicate)).message).toContain('ORD-000001');
  });

  it('lists ineligible hubs with their reasons without blocking the rest', async () => {
    await h.addImage({ fileVersion: 0x02000200, upgradeableFrom: [V_NEW] }); // not reachable from 01260300
    await h.addImage({ fileVersion: 0x02000300, upgradeableFrom: [0x01260300] }, { approve: false });
    await h.addImage({ fileVersion: 0x01200000, upgradeableFrom: [0x01100000] }, { installationEndDate: '2026-01-31' });
    await h.addHubs([
      hubRecord(10, { smiStatus: 'Commissioned' }),
      hubRecord(11, { hardwareVersion: 0x2000 }),
      hubRecord(12, { firmwareVersion: '03000000' }),
      hubRecord(13, { model: 'TOSH-CH1' }),
      hubRecord(14, { firmwareVersion: '01100000' }),
    ]);
    const ids = [chf(0), chf(10), chf(11), chf(12), chf(13), chf(99)];
    const r = await h.desk.take(orderInput({ hubs: ids }), OPERATOR);
    const reasons = Object.fromEntries(r.ineligible.map((i) => [i.chfId, i.reason.code]));
    expect(reasons).toEqual({
      [chf(10)]: code(ErrorCode.IneligibleInstalled),
      [chf(11)]: code(ErrorCode.IneligibleHardware),
      [chf(12)]: code(ErrorCode.IneligibleUpgradePath),
      [chf(13)]: code(ErrorCode.NoTargetForModel),
      [chf(99)]: code(ErrorCode.HubUnknown),
    });
    expect(r.progress).toMatchObject({ expected: 1, ineligible: 5 });

    const targets = async (reference: string, firmwareVersion: string, hub: number): Promise<string | undefined> =>
      (await h.desk.take(orderInput({ reference, hubs: [chf(hub)], targets: [{ model: 'EDMI-CH2', firmwareVersion }] }), OPERATOR)).ineligible[0]?.reason.code;
    expect(await targets('PO-3', '02000200', 1)).toBe(code(ErrorCode.IneligibleUpgradePath));
    expect(await targets('PO-4', '02000300', 2)).toBe(code(ErrorCode.IneligibleNoApprovedImage));
    expect(await targets('PO-5', '09000000', 3)).toBe(code(ErrorCode.IneligibleNoApprovedImage));
    expect(await targets('PO-6', '01200000', 14)).toBe(code(ErrorCode.IneligiblePastInstallationEnd));
  });

  it('refuses a hub returned twice while it is on a live order, and lists it', async () => {
    await h.desk.take(orderInput({ hubs: [chf(0), chf(1)] }), OPERATOR);
    const r = await h.desk.take(orderInput({ reference: 'PO-2', hubs: [chf(1), chf(2)] }), OPERATOR);
    expect(r.rejected).toEqual([expect.objectContaining({ chfId: chf(1), error: expect.objectContaining({ code: code(ErrorCode.HubOnLiveOrder) }) })]);
    expect(r.rejected[0]!.error.message).toContain('ORD-000001');
    expect((await h.desk.lines(r.order.orderId)).map((l) => l.chfId)).toEqual([chf(2)]);
  });

  it('rejects bad and repeated hub IDs one by one', async () => {
    const r = await h.desk.take(orderInput({ hubs: [chf(0), 'not-an-id', chf(0).toLowerCase()] }), OPERATOR);
    expect(r.rejected.map((x) => [x.where, x.error.code])).toEqual([
      ['arrivals[1].chfId', code(ErrorCode.InvalidDeviceId)],
      ['arrivals[2].chfId', code(ErrorCode.HubDuplicateInOrder)],
    ]);
    expect(r.order.hubs).toBe(1);
  });

  it('refuses an order none of whose hubs can be taken, and a malformed order, writing nothing', async () => {
    await h.desk.take(orderInput({ hubs: [chf(0)] }), OPERATOR);
    await rejection(h.desk.take(orderInput({ reference: 'PO-2', hubs: [chf(0)] }), OPERATOR), ErrorCode.OrderInvalid);
    await rejection(h.desk.take({ ...orderInput(), kind: 'gift' }, OPERATOR), ErrorCode.OrderInvalid);
    await rejection(h.desk.take(orderInput({ targets: [{ model: 'EDMI-CH2', firmwareVersion: 'x.y' }] }), OPERATOR), ErrorCode.OrderInvalid);
    expect((await h.desk.orders()).map((o) => o.orderId)).toEqual(['ORD-000001']);
  });
});
