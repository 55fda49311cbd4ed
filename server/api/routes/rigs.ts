import { z } from 'zod';
import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import type { ServerContext } from '../../context.ts';
import { route, type RouteSpec } from '../route.ts';
import { rigPresence } from '../schemas.ts';

export function rigRoutes(ctx: ServerContext): RouteSpec[] {
  return [
    route({
      method: 'GET',
      url: '/rigs',
      summary: "Every registered rig's presence (online/offline from its status and last will, last seen, stale) and what it is flashing now",
      tags: ['rigs'],
      access: 'viewer',
      responses: { 200: z.object({ items: z.array(rigPresence) }) },
      handler: async () => ({ items: ctx.presence.list(ctx.credentials.rigIds()) }),
    }),
    route({
      method: 'GET',
      url: '/rigs/:rigId',
      summary: "One rig's presence",
      tags: ['rigs'],
      access: 'viewer',
      params: z.strictObject({ rigId: z.string().max(64) }),
      responses: { 200: rigPresence },
      handler: async ({ params }) => {
        if (!ctx.credentials.hasRig(params.rigId)) throw new HubflashError(ErrorCode.RigNotFound, `No rig ${params.rigId} is registered`, { rigId: params.rigId });
        return ctx.presence.get(params.rigId);
      },
    }),
    route({
      method: 'GET',
      url: '/ingest',
      summary: 'Ingest counters: messages received by kind, invalid messages (by rig), refused connections and publishes, results stored, duplicates, refused, acknowledged',
      tags: ['rigs'],
      access: 'viewer',
      responses: { 200: z.record(z.string(), z.unknown()) },
      handler: async () => ctx.stats.snapshot(),
    }),
  ];
}
