import { z } from 'zod';
import { smiChangesToCsv } from '../../domain/reports/smiChanges.ts';
import { stockToCsv } from '../../domain/reports/stock.ts';
import type { OrderDesk } from '../../domain/orders/OrderDesk.ts';
import { route, type RouteSpec } from '../route.ts';
import { chfParam } from '../schemas.ts';
import { csvFormat, custodyLedger, exceptionKinds, reconciliationReport, smiChange, stockReport } from '../orderSchemas.ts';

/** Reconciliation, the SMI update export, the stock report and custody ledgers. */
export function reportRoutes(desk: OrderDesk): RouteSpec[] {
  return [
    route({
      method: 'GET',
      url: '/reconciliation',
      summary: 'Every disagreement between what rigs read from hubs, the inventory, live orders and live ASNs, each with what to do next (all counted; items listed up to limit)',
      tags: ['reports'],
      access: 'viewer',
      query: z.strictObject({ limit: z.coerce.number().int().min(0).max(1_000_000).default(1000), kind: z.enum(exceptionKinds).optional() }),
      responses: { 200: reconciliationReport },
      handler: async ({ query }) => desk.reconcile({ limit: query.limit, ...(query.kind ? { kinds: [query.kind] } : {}) }),
    }),
    route({
      method: 'GET',
      url: '/smi-changes',
      summary: 'The SMI update export: every hub whose firmware changed since a time, with the version and hash before and after, the rig and the time; format=csv for a CSV file',
      tags: ['reports'],
      access: 'viewer',
      query: z.strictObject({ since: z.string().max(40), until: z.string().max(40).optional(), format: csvFormat }),
      responses: { 200: z.object({ items: z.array(smiChange) }) },
      handler: async ({ query, reply }) => {
        const items = await desk.smiChanges(query.since, query.until);
        return query.format === 'csv' ? reply.type('text/csv; charset=utf-8').send(smiChangesToCsv(items)) : { items };
      },
    }),
    route({
      method: 'GET',
      url: '/stock',
      summary: 'Hubs by firmware version, region, HAN variant and holder, with how many are past their installation end date or within the warning window (90 days by default); format=csv for a CSV file',
      tags: ['reports'],
      access: 'viewer',
      query: z.strictObject({ format: csvFormat }),
      responses: { 200: stockReport },
      handler: async ({ query, reply }) => {
        const report = await desk.stock();
        return query.format === 'csv' ? reply.type('text/csv; charset=utf-8').send(stockToCsv(report)) : report;
      },
    }),
    route({
      method: 'GET',
      url: '/devices/:chfId/custody',
      summary: "A hub's custody ledger: every change with its time, place and who, oldest first",
      tags: ['devices'],
      access: 'viewer',
      params: chfParam,
      responses: { 200: custodyLedger },
      handler: async ({ params }) => desk.custody(params.chfId),
    }),
  ];
}
