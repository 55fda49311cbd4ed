import { z } from 'zod';
import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import { summarise } from '../../domain/asn/model.ts';
import type { OrderDesk } from '../../domain/orders/OrderDesk.ts';
import { route, type RouteSpec } from '../route.ts';
import { asn, asnParam, asnSummary, chargeLine, order, reasonBody, skipped } from '../orderSchemas.ts';

const FORMATS = { json: 'application/json', csv: 'text/csv; charset=utf-8', '856': 'application/edi-x12' } as const;

/** `ASN-00000001`, `ASN-00000001.csv`, `ASN-00000001.856`. */
function parseAsnRef(ref: string): { asnId: string; format: keyof typeof FORMATS } {
  const m = /^(ASN-\d+)(?:\.(json|csv|856))?$/.exec(ref);
  if (!m) throw new HubflashError(ErrorCode.AsnNotFound, `No ASN ${JSON.stringify(ref)}: ASN IDs look like ASN-00000001, with .json, .csv or .856 for an export`, { ref });
  return { asnId: m[1]!, format: (m[2] ?? 'json') as keyof typeof FORMATS };
}

/** ASNs: read and export, replace, cancel, confirm delivery. */
export function asnRoutes(desk: OrderDesk): RouteSpec[] {
  return [
    route({
      method: 'GET',
      url: '/asns',
      summary: 'ASNs (without their hubs), every status: live, delivered, cancelled, superseded',
      tags: ['asns'],
      access: 'viewer',
      query: z.strictObject({ orderId: z.string().max(40).optional() }),
      responses: { 200: z.object({ items: z.array(asnSummary) }) },
      handler: async ({ query }) => ({ items: await desk.asns(query.orderId ? { orderId: query.orderId } : {}) }),
    }),
    route({
      method: 'GET',
      url: '/asns/:asnRef',
      summary: 'One ASN: `ASN-00000001` (JSON, shipment → order → pallet → carton → hub), `ASN-00000001.csv` (one row per hub) or `ASN-00000001.856` (ASC X12 856 Ship Notice)',
      tags: ['asns'],
      access: 'viewer',
      params: z.strictObject({ asnRef: z.string().max(50) }),
      responses: { 200: asn },
      handler: async ({ params, reply }) => {
        const { asnId, format } = parseAsnRef(params.asnRef);
        if (format === 'json') return desk.asn(asnId);
        const text = format === 'csv' ? await desk.asnCsv(asnId) : await desk.asnX12(asnId);
        return reply.type(FORMATS[format]).header('content-disposition', `attachment; filename="${asnId}.${format}"`).send(text);
      },
    }),
    route({
      method: 'POST',
      url: '/asns/:asnId/replace',
      summary: 'Replaces a live ASN by a new one (new ID, new SSCCs, purpose replace); the old one is kept as superseded. Hubs named in remove come off it',
      tags: ['asns'],
      access: 'operator',
      params: asnParam,
      body: z.strictObject({ remove: z.array(z.string().max(40)).max(100_000).optional(), reason: z.string().max(500).optional() }),
      responses: { 201: z.object({ asn: asnSummary, replaced: asnSummary, skipped }) },
      handler: async ({ params, body, caller, reply }) => {
        const r = await desk.replaceAsn(params.asnId, caller.actor, { ...(body.remove ? { remove: body.remove } : {}), ...(body.reason ? { reason: body.reason } : {}) });
        void reply.status(201);
        return { asn: summarise(r.asn), replaced: r.replaced, skipped: r.skipped };
      },
    }),
    route({
      method: 'POST',
      url: '/asns/:asnId/cancel',
      summary: 'Cancels a live ASN; it is kept as cancelled and its ID is never used again. Its hubs go back to the CSP and may go on a new ASN',
      tags: ['asns'],
      access: 'operator',
      params: asnParam,
      body: reasonBody,
      responses: { 200: asnSummary },
      handler: async ({ params, body, caller }) => desk.cancelAsn(params.asnId, body.reason, caller.actor),
    }),
    route({
      method: 'POST',
      url: '/asns/:asnId/delivery',
      summary: 'Confirms delivery of a live ASN: its hubs are delivered (custody), charged when the order is a return for re-flash, and the order is fulfilled when nothing is left',
      tags: ['asns'],
      access: 'operator',
      params: asnParam,
      body: z.strictObject({ at: z.iso.datetime({ offset: true }).optional().meta({ description: 'When it was delivered; default now' }) }),
      responses: { 200: z.object({ asn: asnSummary, charges: z.array(chargeLine), order }) },
      handler: async ({ params, body, caller }) => desk.confirmDelivery(params.asnId, caller.actor, body.at ? { at: new Date(body.at).toISOString() } : {}),
    }),
  ];
}
