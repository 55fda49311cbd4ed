import type { BatchOp } from '../../storage/Store.ts';
import { liveOrderKey } from './keys.ts';
import type { LineState, Order } from './model.ts';
import { putOrder } from './orderStore.ts';

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
