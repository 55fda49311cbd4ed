import { z } from 'zod';
import { chargesToCsv } from '../../domain/charges/csv.ts';
import type { OrderDesk } from '../../domain/orders/OrderDesk.ts';
import { route, type RouteSpec } from '../route.ts';
import { chargeReport, csvFormat, tariff } from '../orderSchemas.ts';

const yearParam = z.strictObject({ year: z.string().max(10).meta({ description: 'Regulatory Year: 2026-27 (or 2026)' }) });

/** Explicit charges and the tariff they are priced from. */
export function chargeRoutes(desk: OrderDesk): RouteSpec[] {
  return [
    route({
      method: 'GET',
      url: '/charges',
      summary: 'Charge lines (one per hub of a fulfilled return-for-re-flash order), filtered by party and date (YYYY-MM-DD inclusive, UK dates), with totals in pence; format=csv for a CSV file',
      tags: ['charges'],
      access: 'viewer',
      query: z.strictObject({ party: z.string().max(64).optional(), from: z.string().max(40).optional(), to: z.string().max(40).optional(), format: csvFormat }),
      responses: { 200: chargeReport },
      handler: async ({ query, reply }) => {
        const report = await desk.charges({ ...(query.party ? { partyId: query.party } : {}), ...(query.from ? { from: query.from } : {}), ...(query.to ? { to: query.to } : {}) });
        return query.format === 'csv' ? reply.type('text/csv; charset=utf-8').send(chargesToCsv(report)) : report;
      },
    }),
    route({
      method: 'GET',
      url: '/tariffs/current',
      summary: "This Regulatory Year's tariff: pence per service line and HAN variant, with where each figure comes from (placeholder marks the unpublished re-flash figure)",
      tags: ['charges'],
      access: 'viewer',
      responses: { 200: tariff },
      handler: async () => desk.tariff(),
    }),
    route({
      method: 'GET',
      url: '/tariffs/:year',
      summary: "A Regulatory Year's tariff",
      tags: ['charges'],
      access: 'viewer',
      params: yearParam,
      responses: { 200: tariff },
      handler: async ({ params }) => desk.tariff(params.year),
    }),
    route({
      method: 'POST',
      url: '/tariffs/:year',
      summary: "Changes a Regulatory Year's tariff: pence per service line and HAN variant (figures not given stay)",
      tags: ['charges'],
      access: 'admin',
      params: yearParam,
      body: z.unknown().meta({ description: '{ "reflash": { "SingleBand": 950, "DualBand": 1100 }, … }' }),
      responses: { 200: tariff },
      handler: async ({ params, body, caller }) => desk.setTariff(params.year, body, caller.actor),
    }),
  ];
}
