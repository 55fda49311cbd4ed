import { z } from 'zod';
import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import type { ErrorSummary } from '../../../protocol/mqtt/index.ts';
import type { ServerContext } from '../../context.ts';
import { decodeStoredResult, pendingKey, refusalKey, resultKey, RESULT_PREFIX } from '../../ingest/resultKeys.ts';
import { readRange } from '../../storage/Store.ts';
import { route, type RouteSpec } from '../route.ts';
import { page, storedResult } from '../schemas.ts';

export function resultRoutes(ctx: ServerContext): RouteSpec[] {
  const describe = async (id: string, text: string): Promise<object> => {
    const [pending, refusal] = await ctx.store.getMany([pendingKey(id), refusalKey(id)]);
    return { ...decodeStoredResult(text), applied: pending === undefined && refusal === undefined, ...(refusal ? { refused: JSON.parse(refusal) as ErrorSummary } : {}) };
  };
  return [
    route({
      method: 'GET',
      url: '/results',
      summary: 'Stored results in result ID order, a page at a time',
      tags: ['results'],
      access: 'viewer',
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100), cursor: z.string().max(40).optional() }),
      responses: { 200: page(storedResult) },
      handler: async ({ query }) => {
        const rows = await readRange(ctx.store, {
          ...(query.cursor ? { gt: resultKey(query.cursor) } : { gte: RESULT_PREFIX }),
          lt: `${RESULT_PREFIX}\uffff`,
          limit: query.limit + 1,
        });
        const items = await Promise.all(rows.slice(0, query.limit).map(([k, v]) => describe(k.slice(RESULT_PREFIX.length), v)));
        return { items, ...(rows.length > query.limit ? { nextCursor: rows[query.limit - 1]![0].slice(RESULT_PREFIX.length) } : {}) };
      },
    }),
    route({
      method: 'GET',
      url: '/results/:resultId',
      summary: 'One stored result, whether it was applied, and why not if refused',
      tags: ['results'],
      access: 'viewer',
      params: z.strictObject({ resultId: z.string().max(40) }),
      responses: { 200: storedResult },
      handler: async ({ params }) => {
        const text = await ctx.store.get(resultKey(params.resultId));
        if (text === undefined) throw new HubflashError(ErrorCode.ResultNotFound, `No result ${params.resultId} has been received`, { resultId: params.resultId });
        return describe(params.resultId, text);
      },
    }),
  ];
}
