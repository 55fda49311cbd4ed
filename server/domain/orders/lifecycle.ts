import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import { parseDeviceId } from '../../../protocol/ids/index.ts';
import type { BatchOp } from '../../storage/Store.ts';
import { custodyChangeIfAllowed } from '../custody/ledger.ts';
import { places } from '../custody/places.ts';
import type { HubChange } from '../inventory/Inventory.ts';
import type { OrdersContext } from './context.ts';
import { liveOrderKey, orderAsnPrefix } from './keys.ts';
import type { Order, OrderLine } from './model.ts';
import { orderLines, putLine, putOrder, requireOrder } from './orderStore.ts';
import { prefixRange, readRange } from '../../storage/Store.ts';
import { findAsn } from '../asn/asnStore.ts';

export interface ReceiveSelection {
  /** Pallet or carton SSCCs of the order; with chfIds, the union. Neither: the whole order. */
  ssccs?: string[];
  chfIds?: string[];
}

/**
 * Goods of a return order arrived at the CSP: their hubs go from "in transit to the CSP" to
 * "at the CSP", and expected lines become received. Receiving twice changes nothing.
 */
export async function receiveOrder(ctx: OrdersContext, orderId: string, selection: ReceiveSelection, actor: string): Promise<{ received: number; order: Order }> {
  const chfWanted = new Set((selection.chfIds ?? []).map((id) => parseDeviceId(id)));
  const ssccWanted = new Set(selection.ssccs ?? []);
  const everything = chfWanted.size === 0 && ssccWanted.size === 0;
  const result = await ctx.inventory.lock.run(async () => {
    const order = await requireOrder(ctx.store, orderId);
    if (order.status !== 'open') throw notLive(order);
    const at = ctx.now().toISOString();
    const lines: OrderLine[] = [];
    const seenSsccs = new Set<string>();
    for await (const line of orderLines(ctx.store, orderId)) {
      const bySscc = [line.palletSscc, line.cartonSscc].filter((s): s is string => s !== undefined && ssccWanted.has(s));
      bySscc.forEach((s) => seenSsccs.add(s));
      if (everything || chfWanted.delete(line.chfId) || bySscc.length > 0) lines.push(line);
    }
    const unknown = [...chfWanted, ...[...ssccWanted].filter((s) => !seenSsccs.has(s))];
    if (unknown.length > 0) {
      throw new HubflashError(ErrorCode.HubNotOnOrder, `Not on order ${orderId}: ${unknown.slice(0, 10).join(', ')}; nothing was received. Check the labels against hubflash order show ${orderId}`, { orderId, unknown });
    }
    const hubs = await ctx.inventory.getMany(lines.map((l) => l.chfId));
    const changes: HubChange[] = [];
    const ops: BatchOp[] = [];
    let received = 0;
    lines.forEach((line, i) => {
      const hub = hubs[i];
      const change = hub ? custodyChangeIfAllowed(hub, 'received', { at, by: actor, place: places.csp(ctx.config), orderId }) : undefined;
      if (change) changes.push(change);
      if (line.state === 'expected') {
        ops.push(putLine(orderId, { ...line, state: 'received', updatedAt: at }));
        received++;
      }
    });
    const next: Order = { ...order, receivedAt: order.receivedAt ?? at };
    ops.push(putOrder(next));
    await ctx.inventory.commit(changes, ops, { sync: true });
    return { received, order: next, custody: changes.length };
  });
  await ctx.audit.append([{ actor, action: 'order.receive', subject: orderId, details: { received: result.received, custodyChanges: result.custody, ...(everything ? {} : { selection }) } }]);
  return { received: result.received, order: result.order };
}

/**
 * Cancels an order: its hubs leave the live-order index (they may be taken on another order)
 * and stay where they physically are. Refused while any hub is on a live ASN: cancel the ASN first
 * (or confirm its delivery).
 */
export async function cancelOrder(ctx: OrdersContext, orderId: string, reason: string, actor: string): Promise<Order> {
  const order = await ctx.inventory.lock.run(async () => {
    const order = await requireOrder(ctx.store, orderId);
    if (order.status !== 'open') throw notLive(order);
    const asnIds = (await readRange(ctx.store, prefixRange(orderAsnPrefix(orderId)))).map(([k]) => k.slice(orderAsnPrefix(orderId).length));
    for (const asnId of asnIds) {
      const asn = await findAsn(ctx.store, asnId);
      if (asn?.status === 'live') {
        throw new HubflashError(ErrorCode.OrderHasLiveAsn, `Order ${orderId} has hubs on live ASN ${asnId}: cancel that ASN first (hubflash asn cancel ${asnId}), or confirm its delivery`, { orderId, asnId });
      }
    }
    const at = ctx.now().toISOString();
    const ops: BatchOp[] = [];
    const chfIds: string[] = [];
    for await (const line of orderLines(ctx.store, orderId)) chfIds.push(line.chfId);
    // Only the hubs still live on this order: a hub delivered from it may be on a newer order now.
    const liveOn = await ctx.store.getMany(chfIds.map(liveOrderKey));
    chfIds.forEach((chfId, i) => {
      if (liveOn[i] === orderId) ops.push({ type: 'del', key: liveOrderKey(chfId) });
    });
    const next: Order = { ...order, status: 'cancelled', cancelledAt: at, cancelledBy: actor, cancelReason: reason };
    ops.push(putOrder(next));
    await ctx.store.batch(ops, { sync: true });
    return next;
  });
  await ctx.audit.append([{ actor, action: 'order.cancel', subject: orderId, details: { reason } }]);
  return order;
}

export function notLive(order: Order): HubflashError {
  return new HubflashError(ErrorCode.OrderNotLive, `Order ${order.orderId} is ${order.status}: nothing more can be done on it`, { orderId: order.orderId, status: order.status });
}
