import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import { parseDeviceId } from '../../../protocol/ids/index.ts';
import { prefixRange, readRange, type Store } from '../../storage/Store.ts';
import { lineKey, linePrefix, liveOrderKey, ORDER_PREFIX, orderKey } from './keys.ts';
import { emptyProgress, type Order, type OrderLine, type OrderProgress } from './model.ts';

/** Reading orders and their lines back from the Store. */

export async function findOrder(store: Store, orderId: string): Promise<Order | undefined> {
  const text = await store.get(orderKey(orderId));
  return text === undefined ? undefined : (JSON.parse(text) as Order);
}

export async function requireOrder(store: Store, orderId: string): Promise<Order> {
  const order = await findOrder(store, orderId);
  if (!order) throw new HubflashError(ErrorCode.OrderNotFound, `No order ${orderId}: list orders with hubflash order list`, { orderId });
  return order;
}

export async function listOrders(store: Store, filter: { partyId?: string; status?: string } = {}): Promise<Order[]> {
  const rows = await readRange(store, prefixRange(ORDER_PREFIX));
  return rows
    .map(([, v]) => JSON.parse(v) as Order)
    .filter((o) => (filter.partyId === undefined || o.party.id === filter.partyId) && (filter.status === undefined || o.status === filter.status));
}

/** Every line of an order, in CHF ID order, a chunk at a time. */
export async function* orderLines(store: Store, orderId: string): AsyncGenerator<OrderLine> {
  const it = store.iterator(prefixRange(linePrefix(orderId)));
  try {
    for (;;) {
      const chunk = await it.nextv(2000);
      if (chunk.length === 0) return;
      for (const [, v] of chunk) yield JSON.parse(v) as OrderLine;
    }
  } finally {
    await it.close();
  }
}

export async function getLine(store: Store, orderId: string, chfId: string): Promise<OrderLine | undefined> {
  const text = await store.get(lineKey(orderId, chfId));
  return text === undefined ? undefined : (JSON.parse(text) as OrderLine);
}

/** The live order a hub is on, if any. */
export async function liveOrderOf(store: Store, chfId: string): Promise<string | undefined> {
  return store.get(liveOrderKey(parseDeviceId(chfId)));
}

export async function orderProgress(store: Store, orderId: string): Promise<OrderProgress> {
  const progress = emptyProgress();
  for await (const line of orderLines(store, orderId)) progress[line.state]++;
  return progress;
}

export function putLine(orderId: string, line: OrderLine): { type: 'put'; key: string; value: string } {
  return { type: 'put', key: lineKey(orderId, line.chfId), value: JSON.stringify(line) };
}

export function putOrder(order: Order): { type: 'put'; key: string; value: string } {
  return { type: 'put', key: orderKey(order.orderId), value: JSON.stringify(order) };
}
