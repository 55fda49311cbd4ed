import type { BatchOp } from '../../storage/Store.ts';
import { chargeOps, type ChargeLine } from '../charges/chargeBook.ts';
import { custodyChangeIfAllowed } from '../custody/ledger.ts';
import { places } from '../custody/places.ts';
import type { HubChange } from '../inventory/Inventory.ts';
import type { OrdersContext } from '../orders/context.ts';
import { liveAsnKey, liveOrderKey } from '../orders/keys.ts';
import type { Order, OrderLine } from '../orders/model.ts';
import { FulfilmentTally } from '../orders/fulfilment.ts';
import { orderLines, putLine, putOrder, requireOrder } from '../orders/orderStore.ts';
import { putAsnSummary, requireAsn } from './asnStore.ts';
import { asnNotLive } from './issue.ts';
import { asnHubs, summarise, type AsnSummary } from './model.ts';

/**
 * Cancels a live ASN: it stays in the history as cancelled (its ID is never used again), its
 * hubs come off it (back to verified, back at the CSP) and may go on a new ASN.
 */
export async function cancelAsn(ctx: OrdersContext, asnId: string, reason: string, actor: string): Promise<AsnSummary> {
  const result = await ctx.inventory.lock.run(async () => {
    const asn = await requireAsn(ctx.store, asnId);
    if (asn.status !== 'live') throw asnNotLive(asn, 'cancelled');
    const at = ctx.now().toISOString();
    const ids = [...asnHubs(asn)].map(({ hub }) => hub.chfId);
    const hubs = await ctx.inventory.getMany(ids);
    const lines = await linesOf(ctx, asn.order.orderId, new Set(ids));
    const ops: BatchOp[] = [];
    const changes: HubChange[] = [];
    ids.forEach((id, i) => {
      ops.push({ type: 'del', key: liveAsnKey(id) });
      const line = lines.get(id);
      if (line?.asnId === asnId) {
        const { asnId: _gone, ...rest } = line;
        ops.push(putLine(asn.order.orderId, { ...rest, state: 'verified', updatedAt: at }));
      }
      const hub = hubs[i];
      const change = hub ? custodyChangeIfAllowed(hub, 'dispatch-cancelled', { at, by: actor, place: places.csp(ctx.config), orderId: asn.order.orderId, asnId }) : undefined;
      if (change) changes.push(change);
    });
    const next: AsnSummary = { ...summarise(asn), status: 'cancelled', cancelledAt: at, cancelledBy: actor, cancelReason: reason };
    ops.push(putAsnSummary(next));
    await ctx.inventory.commit(changes, ops, { sync: true });
    return next;
  });
  await ctx.audit.append([{ actor, action: 'asn.cancel', subject: asnId, details: { reason, hubs: result.totals.hubs } }]);
  return result;
}

export interface DeliveryResult {
  asn: AsnSummary;
  charges: ChargeLine[];
  order: Order;
}

/**
 * The User confirmed delivery of a live ASN: its hubs are delivered (custody), their lines are
 * delivered and leave the live indexes, and, for a return-for-re-flash order, each hub gets its
 * charge line. When every hub of the order is delivered or ineligible the order is fulfilled.
 */
export async function confirmDelivery(ctx: OrdersContext, asnId: string, actor: string, options: { at?: string } = {}): Promise<DeliveryResult> {
  const result = await ctx.inventory.lock.run(async () => {
    const asn = await requireAsn(ctx.store, asnId);
    if (asn.status !== 'live') throw asnNotLive(asn, 'confirmed delivered');
    const order = await requireOrder(ctx.store, asn.order.orderId);
    const at = options.at ?? ctx.now().toISOString();
    const shipped = [...asnHubs(asn)].map(({ hub }) => hub);
    const ids = new Set(shipped.map((h) => h.chfId));
    const hubs = await ctx.inventory.getMany([...ids]);
    const ops: BatchOp[] = [];
    const changes: HubChange[] = [];
    const charges: ChargeLine[] = [];
    const place = places.user({ partyId: asn.shipTo.partyId, ...(asn.shipTo.partyName ? { partyName: asn.shipTo.partyName } : {}), locationId: asn.shipTo.locationId });
    shipped.forEach((h, i) => {
      ops.push({ type: 'del', key: liveAsnKey(h.chfId) }, { type: 'del', key: liveOrderKey(h.chfId) });
      const hub = hubs[i];
      const change = hub ? custodyChangeIfAllowed(hub, 'delivered', { at, by: actor, place, orderId: order.orderId, asnId }) : undefined;
      if (change) changes.push(change);
    });
    // Supply-chain uplift is never charged.
    if (order.kind === 'return-for-reflash') {
      const charged = await chargeOps(ctx, shipped, { orderId: order.orderId, reference: order.reference, partyId: order.party.id }, asnId, at);
      charges.push(...charged.lines);
      ops.push(...charged.ops);
    }
    // The order's lines after this delivery; fulfilled when nothing is left to do.
    const tally = new FulfilmentTally();
    for await (const line of orderLines(ctx.store, order.orderId)) {
      if (ids.has(line.chfId) && line.asnId === asnId) {
        ops.push(putLine(order.orderId, { ...line, state: 'delivered', updatedAt: at }));
        tally.count(line.chfId, 'delivered');
      } else tally.count(line.chfId, line.state);
    }
    const fulfilled = tally.fulfil(order, at);
    const next = fulfilled?.order ?? order;
    const delivered: AsnSummary = { ...summarise(asn), status: 'delivered', deliveredAt: at, deliveredBy: actor };
    ops.push(putAsnSummary(delivered), ...(fulfilled ? fulfilled.ops : [putOrder(next)]));
    await ctx.inventory.commit(changes, ops, { sync: true });
    return { asn: delivered, charges, order: next };
  });
  const pence = result.charges.reduce((n, c) => n + c.pence, 0);
  await ctx.audit.append([
    { actor, action: 'asn.deliver', subject: asnId, details: { orderId: result.order.orderId, hubs: result.asn.totals.hubs, orderStatus: result.order.status } },
    ...(result.charges.length > 0 ? [{ actor, action: 'charges.write', subject: result.order.orderId, details: { asnId, lines: result.charges.length, pence } }] : []),
  ]);
  return result;
}

async function linesOf(ctx: OrdersContext, orderId: string, ids: Set<string>): Promise<Map<string, OrderLine>> {
  const out = new Map<string, OrderLine>();
  for await (const line of orderLines(ctx.store, orderId)) if (ids.has(line.chfId)) out.set(line.chfId, line);
  return out;
}
