import type { BatchOp, Store } from '../../storage/Store.ts';
import { lineKey, liveOrderKey, orderKey } from './keys.ts';
import type { LineState, Order, OrderLine } from './model.ts';
import { orderLines, putOrder } from './orderStore.ts';

/**
 * Whether an order is done: it is fulfilled when every hub is delivered or ineligible, at least
 * one delivered (an order none of whose hubs was delivered stays open, for its ineligible hubs
 * to be tried again). Count each line of the order, as it will be after the batch, then ask.
 */
export class FulfilmentTally {
  private open = 0;
  private delivered = 0;
  private readonly ineligible: string[] = [];

  count(chfId: string, state: LineState): void {
    if (state === 'delivered') this.delivered++;
    else if (state === 'ineligible') this.ineligible.push(chfId);
    else this.open++;
  }

  /** The fulfilled order and its ops (the order; its ineligible hubs leave the live-order index), or undefined while hubs are left to do. */
  fulfil(order: Order, at: string): { order: Order; ops: BatchOp[] } | undefined {
    if (this.open > 0 || this.delivered === 0) return undefined;
    const next: Order = { ...order, status: 'fulfilled', fulfilledAt: at };
    return { order: next, ops: [putOrder(next), ...this.ineligible.map((id): BatchOp => ({ type: 'del', key: liveOrderKey(id) }))] };
  }
}

/**
 * The ops that fulfil an open order once hub `chfId`'s line is `state` (in a batch not yet
 * written), or none while hubs are left to do. The order and its lines are read through
 * `reader` (a group of results' batch view, or the Store itself): the Store lists the lines (a
 * result never adds one), the reader gives each as the batch will leave it.
 */
export async function fulfilmentOps(store: Store, reader: Pick<Store, 'getMany'>, orderId: string, chfId: string, state: LineState, at: string): Promise<BatchOp[]> {
  const [orderText] = await reader.getMany([orderKey(orderId)]);
  const order = orderText === undefined ? undefined : (JSON.parse(orderText) as Order);
  if (order?.status !== 'open') return [];
  const ids: string[] = [];
  for await (const line of orderLines(store, orderId)) ids.push(line.chfId);
  const texts = await reader.getMany(ids.map((id) => lineKey(orderId, id)));
  const tally = new FulfilmentTally();
  texts.forEach((text, i) => {
    const id = ids[i]!;
    if (id === chfId) tally.count(id, state);
    else if (text !== undefined) tally.count(id, (JSON.parse(text) as OrderLine).state);
  });
  return tally.fulfil(order, at)?.ops ?? [];
}
