import type { Readable } from 'node:stream';
import { z } from 'zod';
import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import type { ServerContext } from '../../context.ts';
import { route, type RouteSpec } from '../route.ts';
import { firmwareEntry, shaParam } from '../schemas.ts';
import { parseRange } from './range.ts';

const addQuery = z.strictObject({
  installationEndDate: z.iso.date().optional().meta({ description: 'The TSAT installation end date (IVP) for this firmware, YYYY-MM-DD' }),
  approve: z.enum(['true', 'false']).optional().meta({ description: 'Approve for use at once (needs the admin role)' }),
});

export function firmwareRoutes(ctx: ServerContext): RouteSpec[] {
  const setApproved = (approved: boolean): RouteSpec =>
    route({
      method: 'POST',
      url: `/firmware/:sha256/${approved ? 'approve' : 'withdraw'}`,
      summary: approved ? 'Approves an image for use: rigs may download it' : 'Withdraws approval: rigs may no longer download it',
      tags: ['firmware'],
      access: 'admin',
      params: shaParam,
      responses: { 200: firmwareEntry },
      handler: async ({ params, caller }) => ctx.catalogue.setApproved(params.sha256, approved, caller.actor),
    });
  return [
    route({
      method: 'GET',
      url: '/firmware',
      summary: 'Every image in the catalogue',
      tags: ['firmware'],
      access: 'viewer',
      responses: { 200: z.object({ items: z.array(firmwareEntry) }) },
      handler: async () => ({ items: await ctx.catalogue.list() }),
    }),
    route({
      method: 'GET',
      url: '/firmware/:sha256',
      summary: 'One image by its SHA-256',
      tags: ['firmware'],
      access: 'viewer',
      params: shaParam,
      responses: { 200: firmwareEntry },
      handler: async ({ params }) => ctx.catalogue.get(params.sha256),
    }),
    route({
      method: 'POST',
      url: '/firmware',
      summary: 'Uploads a manufacturer image: verified against the trusted manufacturer keys, stored by SHA-256 (adding it again returns the same entry)',
      tags: ['firmware'],
      access: 'operator',
      query: addQuery,
      body: { contentTypes: ['application/octet-stream'], description: 'The image file' },
      responses: { 200: firmwareEntry, 201: firmwareEntry },
      handler: async ({ query, body, caller, reply }) => {
        const approve = query.approve === 'true';
        if (approve && caller.role !== 'admin') throw new HubflashError(ErrorCode.Forbidden, 'Approving an image needs the admin role');
        const bytes = await readAll(body as Readable, ctx.config.http.maxImageBytes);
        const { entry, created } = await ctx.catalogue.add(bytes, { by: caller.actor, approve, ...(query.installationEndDate ? { installationEndDate: query.installationEndDate } : {}) });
        void reply.status(created ? 201 : 200);
        return entry;
      },
    }),
    setApproved(true),
    setApproved(false),
    route({
      method: 'GET',
      url: '/firmware/:sha256/image',
      summary: 'Downloads an approved image; supports Range requests (bytes=a-b) so a broken download resumes. Check its SHA-256 and signature before use.',
      tags: ['firmware'],
      access: 'rig-or-viewer',
      params: shaParam,
      responses: { 200: { description: 'The image', contentType: 'application/octet-stream' }, 206: { description: 'Part of the image', contentType: 'application/octet-stream' } },
      handler: async ({ params, caller, request, reply }) => {
        const entry = await ctx.catalogue.get(params.sha256);
        if (!entry.approved && caller.rigId !== undefined) {
          throw new HubflashError(ErrorCode.FirmwareNotApproved, `Image ${entry.sha256} is not approved for use`, { sha256: entry.sha256 });
        }
        const size = ctx.catalogue.files.size(entry.sha256);
        const etag = `"${entry.sha256}"`;
        void reply.header('accept-ranges', 'bytes').header('etag', etag).header('content-type', 'application/octet-stream');
        const ifRange = request.headers['if-range'];
        const range = ifRange === undefined || ifRange === etag ? parseRange(request.headers.range, size) : undefined;
        if (range === 'unsatisfiable') {
          void reply.header('content-range', `bytes */${size}`);
          throw new HubflashError(ErrorCode.RangeNotSatisfiable, `The image has ${size} bytes; the range asked for is outside it`, { size });
        }
        const [start, end] = range ?? [0, size - 1];
        if (range) void reply.status(206).header('content-range', `bytes ${start}-${end}/${size}`);
        void reply.header('content-length', end - start + 1);
        return reply.send(ctx.catalogue.files.read(entry.sha256, start, end));
      },
    }),
  ];
}

async function readAll(stream: Readable, max: number): Promise<Uint8Array> {
  if (!stream || typeof stream.pipe !== 'function') throw new HubflashError(ErrorCode.InvalidRequest, 'Send the image as application/octet-stream');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > max) throw new HubflashError(ErrorCode.PayloadTooLarge, `Images may be at most ${max} bytes`, { max });
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
