import { z } from 'zod';
import type { OrderDesk } from '../../domain/orders/OrderDesk.ts';
import { summarise } from '../../domain/asn/model.ts';
import { LINE_STATES } from '../../domain/orders/model.ts';
import { route, type RouteSpec } from '../route.ts';
import { asnSummary, order, orderLine, orderParam, progress, reasonBody, skipped, takeResult } from '../orderSchemas.ts';

/** Orders: take, follow, receive, cancel, and issue their ASNs. */
export function orderRoutes(desk: OrderDesk): RouteSpec[] {
  return [
    route({
      method: 'POST',
      url: '/orders',
      summary:
        'Takes an order: the party, its delivery location, the target firmware per model and what arrives (units, cartons, pallets with SSCCs). Each hub is checked for eligibility; ineligible hubs are listed with the reason and do not block the rest',
      tags: ['orders'],
      access: 'operator',
      body: z.unknown().meta({ description: 'The order (see docs/orders.md)' }),
      responses: { 201: takeResult },
      handler: async ({ body, caller, reply }) => {
        const result = await desk.take(body, caller.actor);
        void reply.status(201);
        return result;
      },
    }),
    route({
      method: 'GET',
      url: '/orders',
      summary: 'Orders, with their progress',
      tags: ['orders'],
      access: 'viewer',
      query: z.strictObject({ party: z.string().max(64).optional(), status: z.enum(['open', 'fulfilled', 'cancelled']).optional() }),
      responses: { 200: z.object({ items: z.array(z.object({ order, progress })) }) },
      handler: async ({ query }) => {
        const orders = await desk.orders({ ...(query.party ? { partyId: query.party } : {}), ...(query.status ? { status: query.status } : {}) });
        return { items: await Promise.all(orders.map(async (o) => ({ order: o, progress: (await desk.order(o.orderId)).progress }))) };
      },
    }),
    route({
      method: 'GET',
      url: '/orders/:orderId',
      summary: 'One order: its progress per state (received, on rig, flashed, failed, verified, shipped…) and its ASNs',
      tags: ['orders'],
      access: 'viewer',
      params: orderParam,
      responses: { 200: z.object({ order, progress, asns: z.array(asnSummary) }) },
      handler: async ({ params }) => desk.order(params.orderId),
    }),
    route({
      method: 'GET',
      url: '/orders/:orderId/lines',
      summary: "The order's hubs, each with its state, target, job, rig, ASN and (when failed or ineligible) the reason",
      tags: ['orders'],
      access: 'viewer',
      params: orderParam,
      query: z.strictObject({ state: z.enum(LINE_STATES).optional() }),
      responses: { 200: z.object({ items: z.array(orderLine) }) },
      handler: async ({ params, query }) => ({ items: await desk.lines(params.orderId, query.state ? { state: query.state } : {}) }),
    }),
    route({
      method: 'POST',
      url: '/orders/:orderId/receive',
      summary: "Goods of a return order arrived at the CSP: the hubs named (by pallet or carton SSCC or CHF ID; nothing named: all) go from in transit to at the CSP",
      tags: ['orders'],
      access: 'operator',
      params: orderParam,
      body: z.strictObject({ ssccs: z.array(z.string().max(40)).max(10_000).optional(), chfIds: z.array(z.string().max(40)).max(100_000).optional() }),
      responses: { 200: z.object({ received: z.int(), order }) },
      handler: async ({ params, body, caller }) => desk.receive(params.orderId, body, caller.actor),
    }),
    route({
      method: 'POST',
      url: '/orders/:orderId/cancel',
      summary: 'Cancels an order (refused while a hub of it is on a live ASN); its hubs may then be taken on another order',
      tags: ['orders'],
      access: 'operator',
      params: orderParam,
      body: reasonBody,
      responses: { 200: order },
      handler: async ({ params, body, caller }) => desk.cancelOrder(params.orderId, body.reason, caller.actor),
    }),
    route({
      method: 'POST',
      url: '/orders/:orderId/asns',
      summary: 'Issues a new ASN for the verified hubs of the order that are not on a live ASN: new ASN ID, new SSCCs, pallets and cartons',
      tags: ['asns'],
      access: 'operator',
      params: orderParam,
      responses: { 201: z.object({ asn: asnSummary, skipped }) },
      handler: async ({ params, caller, reply }) => {
        const { asn, skipped: left } = await desk.issueAsn(params.orderId, caller.actor);
        void reply.status(201);
        return { asn: summarise(asn), skipped: left };
      },
    }),
  ];
}
