import { Readable } from 'node:stream';
import { z } from 'zod';
import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import { formatFirmwareVersion, parseFirmwareVersion } from '../../../protocol/ids/index.ts';
import { importSnapshot } from '../../domain/import/importer.ts';
import { IMPORT_FORMATS, importRows, type ImportFormat } from '../../domain/import/sources.ts';
import { CUSTODY_STATES } from '../../domain/inventory/values.ts';
import type { HubFilter } from '../../domain/inventory/query.ts';
import type { ServerContext } from '../../context.ts';
import { route, type RouteSpec } from '../route.ts';
import { chfParam, deviceFilter, historyEvent, hubRecord, importReport, page } from '../schemas.ts';

const importQuery = z.strictObject({
  format: z.enum(IMPORT_FORMATS).optional().meta({ description: 'Default: from the content type (text/csv → csv, otherwise json)' }),
  custody: z.enum(CUSTODY_STATES).default('with-user').meta({ description: 'Custody of hubs new to the inventory when the row gives none' }),
  source: z.string().max(200).optional().meta({ description: 'The file name, for the history' }),
});

export function deviceRoutes(ctx: ServerContext): RouteSpec[] {
  return [
    route({
      method: 'GET',
      url: '/devices',
      summary: 'Hubs matching all the filters given, in CHF ID order, a page at a time (from the indexes). A page may be short and still have a nextCursor: follow it to the end.',
      tags: ['devices'],
      access: 'viewer',
      query: deviceFilter,
      responses: { 200: page(hubRecord) },
      handler: async ({ query }) => {
        const { limit, cursor, firmwareVersion, ...rest } = query;
        const filter: HubFilter = { ...rest, ...(firmwareVersion !== undefined ? { firmwareVersion: formatFirmwareVersion(parseFirmwareVersion(firmwareVersion)) } : {}) };
        return ctx.inventory.query(filter, limit, cursor);
      },
    }),
    route({
      method: 'GET',
      url: '/devices/stats',
      summary: 'How many hubs, in total and by status, firmware version, region, HAN variant, model and custody',
      tags: ['devices'],
      access: 'viewer',
      responses: { 200: z.object({ total: z.int(), by: z.record(z.string(), z.record(z.string(), z.int())) }) },
      handler: async () => ctx.inventory.stats(),
    }),
    route({
      method: 'GET',
      url: '/devices/:chfId',
      summary: 'One hub by its CHF device ID (any accepted spelling)',
      tags: ['devices'],
      access: 'viewer',
      params: chfParam,
      responses: { 200: hubRecord },
      handler: async ({ params }) => ctx.inventory.require(params.chfId),
    }),
    route({
      method: 'GET',
      url: '/devices/:chfId/history',
      summary: "A hub's history, oldest first: imports, status changes, flash attempts, results, custody changes",
      tags: ['devices'],
      access: 'viewer',
      params: chfParam,
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100), cursor: z.string().max(40).optional() }),
      responses: { 200: page(historyEvent) },
      handler: async ({ params, query }) => ctx.inventory.history(params.chfId, query.limit, query.cursor),
    }),
    route({
      method: 'POST',
      url: '/devices/import',
      summary: 'Imports an SMI snapshot (CSV with a header row, a JSON array or JSON Lines), streamed; invalid rows are reported by line and skipped',
      tags: ['devices'],
      access: 'operator',
      query: importQuery,
      body: { contentTypes: ['text/csv', 'application/x-ndjson', 'application/octet-stream', 'application/json'], description: 'The snapshot file' },
      responses: { 200: importReport },
      handler: async ({ query, body, caller, request }) => {
        const format: ImportFormat = query.format ?? (request.headers['content-type']?.startsWith('text/csv') ? 'csv' : 'json');
        const input = toStream(body);
        const by = query.source ? `${caller.actor} file:${query.source}` : caller.actor;
        const report = await importSnapshot(ctx.inventory, importRows(input, format), {
          by,
          batchSize: ctx.config.import.batchSize,
          maxErrorsReported: ctx.config.import.maxErrorsReported,
          defaultCustody: query.custody,
        });
        const { errors: _, ...summary } = report;
        await ctx.audit.append([{ actor: caller.actor, action: 'devices.import', ...(query.source ? { subject: query.source } : {}), details: summary }]);
        return report;
      },
    }),
  ];
}

/** The body as a stream: streamed types arrive as one; a small JSON body arrives parsed. */
function toStream(body: unknown): Readable {
  if (body && typeof (body as Readable).pipe === 'function') return body as Readable;
  if (Array.isArray(body)) return Readable.from([JSON.stringify(body)]);
  throw new HubflashError(ErrorCode.InvalidRequest, 'Send the snapshot as text/csv, application/x-ndjson, application/octet-stream or a JSON array');
}
