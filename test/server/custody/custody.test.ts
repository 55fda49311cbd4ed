import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, formatErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { CUSTODY_EVENTS, nextCustody, type CustodyEvent } from '../../../server/domain/custody/custody.ts';
import { CUSTODY_STATES, type Custody } from '../../../server/domain/inventory/values.ts';
import { chf, hubRecord, jobRequestFor, OPERATOR, openHarness, orderInput, resultFor, type Harness } from '../orders/harness.ts';

describe('the custody state machine', () => {
  it('follows a hub round the whole loop, and round again when it is returned again', () => {
    const path: CustodyEvent[] = ['return-shipped', 'received', 'on-rig', 'off-rig', 'dispatched', 'delivered', 'return-shipped'];
    let state: Custody = 'with-user';
    const seen: Custody[] = [state];
    for (const event of path) seen.push((state = nextCustody(chf(0), state, event)));
    expect(seen).toEqual(['with-user', 'in-transit-to-csp', 'at-csp', 'on-rig', 'at-csp', 'in-transit-to-user', 'delivered', 'in-transit-to-csp']);
  });

  it('allows exactly the transitions of the table in docs/orders.md, and refuses every other, saying where the hub is', () => {
    // Written out from docs/orders.md ("Custody"), not read from the code's own table.
    const expected: Record<CustodyEvent, { from: Custody[]; to: Custody }> = {
      'return-shipped': { from: ['with-user', 'delivered', 'at-csp', 'in-transit-to-csp'], to: 'in-transit-to-csp' },
      'uplift-intake': { from: ['at-csp', 'with-user', 'delivered', 'in-transit-to-csp'], to: 'at-csp' },
      received: { from: ['in-transit-to-csp'], to: 'at-csp' },
      'on-rig': { from: ['at-csp', 'in-transit-to-csp', 'on-rig'], to: 'on-rig' },
      'off-rig': { from: ['on-rig', 'at-csp', 'in-transit-to-csp'], to: 'at-csp' },
      dispatched: { from: ['at-csp', 'on-rig'], to: 'in-transit-to-user' },
      'dispatch-cancelled': { from: ['in-transit-to-user'], to: 'at-csp' },
      delivered: { from: ['in-transit-to-user'], to: 'delivered' },
    };
    const states: Custody[] = ['with-user', 'in-transit-to-csp', 'at-csp', 'on-rig', 'in-transit-to-user', 'delivered'];
    expect([...CUSTODY_STATES].sort()).toEqual([...states].sort());
    expect(Object.keys(CUSTODY_EVENTS).sort()).toEqual(Object.keys(expected).sort());
    for (const [event, rule] of Object.entries(expected) as Array<[CustodyEvent, { from: Custody[]; to: Custody }]>) {
      for (const from of states) {
        if (rule.from.includes(from)) {
          expect(nextCustody(chf(0), from, event), `${event} from ${from}`).toBe(rule.to);
          continue;
        }
        let err: unknown;
        try {
          nextCustody(chf(0), from, event);
        } catch (e) {
          err = e;
        }
        expect(isHubflashError(err, ErrorCode.CustodyTransitionInvalid), `${event} from ${from} should be refused`).toBe(true);
        expect((err as Error).message).toContain(chf(0));
      }
    }
    // Never delivered without being dispatched, never dispatched from a User.
    expect(() => nextCustody(chf(0), 'at-csp', 'delivered')).toThrow(/in transit to the User/);
    expect(() => nextCustody(chf(0), 'with-user', 'dispatched')).toThrow();
  });
});

describe('custody changes on intake, rig results, ASN issue and delivery', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness();
    await h.addHubs([0, 1, 2].map((i) => hubRecord(i)));
  });
  afterEach(() => h.close());

  it('records every change with time, place and who, in order', async () => {
    const image = await h.addImage();
    await h.desk.take(orderInput({ hubs: [chf(0)] }), OPERATOR);
    h.clock.advance(3_600_000);
    await h.desk.receive('ORD-000001', { chfIds: [chf(0)] }, 'token:op2:Pat');
    h.clock.advance(60_000);
    await h.desk.answerJob(jobRequestFor(0, {}, 'RIG-07'));
    await h.report(resultFor(0, image, { rigId: 'RIG-07' }));
    h.clock.advance(60_000);
    const { asn } = await h.desk.issueAsn('ORD-000001', OPERATOR);
    await h.desk.confirmDelivery(asn.asnId, 'token:op3:Sam', { at: '2026-11-30T15:00:00.000Z' });
    const ledger = await h.desk.custody(chf(0));
    expect(ledger.current).toBe('delivered');
    expect(ledger.lines.map((l) => [l.at, l.from, l.to, l.by, l.place])).toEqual([
      ['2026-11-28T10:00:00.000Z', 'with-user', 'in-transit-to-csp', OPERATOR, 'carrier from SUPPLIER-A/DEPOT-1 to CSP Warehouse'],
      ['2026-11-28T11:00:00.000Z', 'in-transit-to-csp', 'at-csp', 'token:op2:Pat', 'CSP Warehouse'],
      ['2026-11-28T11:01:00.000Z', 'at-csp', 'on-rig', 'rig:RIG-07', 'rig RIG-07 at CSP Warehouse'],
      ['2026-11-28T11:01:00.000Z', 'on-rig', 'at-csp', 'rig:RIG-07', 'CSP Warehouse'],
      ['2026-11-28T11:02:00.000Z', 'at-csp', 'in-transit-to-user', OPERATOR, 'carrier on ASN-00000001 to SUPPLIER-A/DEPOT-1'],
      ['2026-11-30T15:00:00.000Z', 'in-transit-to-user', 'delivered', 'token:op3:Sam', 'Supplier A (SUPPLIER-A) at DEPOT-1'],
    ]);
    // The same ledger lines are the custody-change events of the hub's history.
    const history = (await h.inventory.history(chf(0), 1000)).items.filter((e) => e.type === 'custody-change');
    expect(history).toHaveLength(6);
  });

  it('does not take on an order a hub that is mid-flow (on a rig or on its way to a User)', async () => {
    await h.addHubs([hubRecord(1, { custody: 'on-rig' }), hubRecord(2, { custody: 'in-transit-to-user' })]);
    const r = await h.desk.take(orderInput({ hubs: [chf(0), chf(1), chf(2)] }), OPERATOR);
    expect(r.rejected.map((x) => [x.chfId, x.error.code])).toEqual([
      [chf(1), formatErrorCode(ErrorCode.CustodyTransitionInvalid)],
      [chf(2), formatErrorCode(ErrorCode.CustodyTransitionInvalid)],
    ]);
    expect((await h.inventory.get(chf(1)))!.custody).toBe('on-rig');
  });

  it('is queried by custody through the inventory index', async () => {
    await h.desk.take(orderInput({ hubs: [chf(0), chf(1)] }), OPERATOR);
    const page = await h.inventory.query({ custody: 'in-transit-to-csp' });
    expect(page.items.map((x) => x.chfId)).toEqual([chf(0), chf(1)]);
    expect(h.inventory.stats().by.custody).toEqual({ 'in-transit-to-csp': 2, 'with-user': 1 });
  });
});
