import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { route, type RouteSpec } from '../route.ts';

export function healthRoutes(ctx: ServerContext, version: string): RouteSpec[] {
  const started = Date.now();
  return [
    route({
      method: 'GET',
      url: '/health',
      summary: 'Whether the server is up, its version, and its memory',
      tags: ['meta'],
      access: 'public',
      responses: { 200: z.object({ ok: z.boolean(), version: z.string(), uptimeMs: z.int(), rssBytes: z.int(), hubs: z.int() }) },
      handler: async () => ({ ok: true, version, uptimeMs: Date.now() - started, rssBytes: process.memoryUsage().rss, hubs: ctx.inventory.stats().total }),
    }),
  ];
}
