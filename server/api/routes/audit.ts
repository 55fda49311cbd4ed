import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { ANCHOR_PATTERN, parseAnchor } from '../../audit/head.ts';
import { route, type RouteSpec } from '../route.ts';
import { auditEntry, auditVerification } from '../schemas.ts';

export function auditRoutes(ctx: ServerContext): RouteSpec[] {
  return [
    route({
      method: 'GET',
      url: '/audit',
      summary: 'Audit log entries after a sequence number, oldest first',
      tags: ['audit'],
      access: 'viewer',
      query: z.strictObject({ after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      responses: { 200: z.object({ items: z.array(auditEntry) }) },
      handler: async ({ query }) => ({ items: await ctx.audit.list(query.after, query.limit) }),
    }),
    route({
      method: 'GET',
      url: '/audit/verify',
      summary: "Re-computes the audit log's hash chain and names the first entry that was edited, removed or inserted",
      tags: ['audit'],
      access: 'viewer',
      query: z.strictObject({
        expect: z
          .string()
          .regex(ANCHOR_PATTERN, 'SEQ:HASH, as a verification printed it')
          .optional()
          .describe('An entry noted earlier (SEQ:HASH) that the log must still hold: catches entries cut off the end'),
      }),
      responses: { 200: auditVerification },
      handler: async ({ query }) => ctx.audit.verify(query.expect === undefined ? undefined : parseAnchor(query.expect)),
    }),
  ];
}
