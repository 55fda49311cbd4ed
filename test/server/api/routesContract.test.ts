import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { auditRoutes } from '../../../server/api/routes/audit.ts';
import { deviceRoutes } from '../../../server/api/routes/devices.ts';
import { firmwareRoutes } from '../../../server/api/routes/firmware.ts';
import { healthRoutes } from '../../../server/api/routes/health.ts';
import { resultRoutes } from '../../../server/api/routes/results.ts';
import { rigRoutes } from '../../../server/api/routes/rigs.ts';
import type { RouteSpec } from '../../../server/api/route.ts';
import type { ServerPlugin } from '../../../server/index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { hubId, sampleHub } from '../helpers/snapshot.ts';

/** A plugin route with a required and an optional query parameter. */
const extra: ServerPlugin = {
  name: 'extra',
  setup: () => [
    {
      method: 'GET',
      url: '/extra/:thing',
      summary: 'A plugin route',
      tags: ['extra'],
      access: 'operator',
      params: z.strictObject({ thing: z.string() }),
      query: z.strictObject({ since: z.string(), until: z.string().optional() }),
      responses: { 200: z.object({ ok: z.boolean() }) },
      handler: async () => ({ ok: true }),
    },
  ],
};

describe('API paging, limits and the OpenAPI document', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ rigs: ['RIG-B', 'RIG-A'], serverOptions: { plugins: [extra] } });
    const hubs = Array.from({ length: 101 }, (_, i) => sampleHub(i));
    const res = await t.api('POST', '/api/v1/devices/import?source=smi.json', { token: t.tokens.operator, body: hubs });
    if (res.body.created !== 101) throw new Error(`import failed: ${JSON.stringify(res.body)}`);
  });
  afterAll(() => t.stop());

  it('pages hubs 100 at a time by default, and takes a limit of 1 to 1000 only', async () => {
    const first = await t.api('GET', '/api/v1/devices', { token: t.tokens.viewer });
    expect([first.body.items.length, first.body.items[0].chfId, typeof first.body.nextCursor]).toEqual([100, hubId(0), 'string']);
    const rest = await t.api('GET', `/api/v1/devices?cursor=${first.body.nextCursor}`, { token: t.tokens.viewer });
    expect([rest.body.items.map((h: { chfId: string }) => h.chfId), rest.body.nextCursor]).toEqual([[hubId(100)], undefined]);
    expect((await t.api('GET', '/api/v1/devices?limit=1000', { token: t.tokens.viewer })).body.items).toHaveLength(101);
    expect((await t.api('GET', '/api/v1/devices?limit=1', { token: t.tokens.viewer })).body.items).toHaveLength(1);
    for (const limit of [0, 1001]) {
      const bad = await t.api('GET', `/api/v1/devices?limit=${limit}`, { token: t.tokens.viewer });
      expect([bad.status, bad.body.error.code, bad.body.error.message]).toEqual([400, 'HF0605', expect.stringMatching(/^Invalid query: limit: /)]);
    }
    const unknown = await t.api('GET', '/api/v1/devices?colour=red', { token: t.tokens.viewer });
    expect([unknown.status, unknown.body.error.message]).toEqual([400, expect.stringMatching(/^Invalid query: query: Unrecognized key: "colour"/)]);
  });

  it("takes a history limit of 1 to 1000", async () => {
    expect((await t.api('GET', `/api/v1/devices/${hubId(3)}/history?limit=1000`)).status).toBe(200);
    for (const limit of [0, 1001]) expect((await t.api('GET', `/api/v1/devices/${hubId(3)}/history?limit=${limit}`)).status).toBe(400);
  });

  it('records an import in the audit log under its file name, and lists entries after a sequence number, 1 to 1000 at a time', async () => {
    for (let i = 0; i < 6; i++) await t.api('POST', `/api/v1/devices/import?source=empty-${i}.json`, { token: t.tokens.operator, body: [] });
    const all = (await t.api('GET', '/api/v1/audit', { token: t.tokens.viewer })).body.items as Array<{ seq: number; action: string; subject?: string; actor: string }>;
    expect(all.length).toBe(12);
    expect(all.find((e) => e.action === 'devices.import')).toMatchObject({ subject: 'smi.json', actor: expect.stringContaining(':olga') });
    const after = (await t.api('GET', '/api/v1/audit?after=3&limit=2', { token: t.tokens.viewer })).body.items;
    expect(after.map((e: { seq: number }) => e.seq)).toEqual([4, 5]);
    expect((await t.api('GET', '/api/v1/audit?limit=1000')).status).toBe(200);
    for (const q of ['limit=0', 'limit=1001', 'after=-1']) expect((await t.api('GET', `/api/v1/audit?${q}`)).status, q).toBe(400);
  });

  it('lists rigs in ID order and knows only registered rigs', async () => {
    const { body } = await t.api('GET', '/api/v1/rigs', { token: t.tokens.viewer });
    expect(body.items.map((r: { rigId: string }) => r.rigId)).toEqual(['RIG-A', 'RIG-B']);
    for (const rigId of ['RIG-Z', 'toString']) {
      const res = await t.api('GET', `/api/v1/rigs/${rigId}`, { token: t.tokens.viewer });
      expect([res.status, res.body.error]).toEqual([404, { code: 'HF0608', name: 'RigNotFound', message: `No rig ${rigId} is registered (HF0608)`, context: { rigId } }]);
    }
  });

  it('describes every route the server serves: who may call it, its inputs, its responses and its errors', async () => {
    const doc = (await t.api('GET', '/api/v1/openapi.json', { token: null })).body;
    const health = (await t.api('GET', '/api/v1/health', { token: null })).body;
    expect(doc.info.version).toBe(health.version);
    const ctx = t.server.context;
    const specs: RouteSpec[] = [...healthRoutes(ctx, 'x'), ...deviceRoutes(ctx), ...firmwareRoutes(ctx), ...rigRoutes(ctx), ...resultRoutes(ctx), ...auditRoutes(ctx), ...(extra.setup(ctx) as RouteSpec[])];
    const ops = Object.values(doc.paths as Record<string, object>).flatMap((p) => Object.keys(p));
    expect(ops).toHaveLength(specs.length + 1); // and /openapi.json
    for (const spec of specs) {
      const op = doc.paths[`/api/v1${spec.url.replace(/:(\w+)/g, '{$1}')}`]?.[spec.method.toLowerCase()];
      expect(op?.summary, `${spec.method} ${spec.url}`).toBe(spec.summary);
      expect(op.responses.default.content['application/json'].schema).toMatchObject({ $defs: { Error: { properties: { error: { properties: { code: { type: 'string' } } } } } } });
      if (spec.access === 'public') expect(op.security).toEqual([]);
      else expect(op.security).toBeUndefined();
    }
    expect(doc.paths['/api/v1/openapi.json'].get.security).toEqual([]);
    expect(doc.paths['/api/v1/devices'].get.description).toBe('Needs: a token with role viewer or higher.');
    expect(doc.paths['/api/v1/firmware/{sha256}/image'].get.description).toBe('Needs: a viewer token, or a rig (HTTP Basic, rig ID and secret).');
    const image = doc.paths['/api/v1/firmware/{sha256}/image'].get.responses;
    for (const status of ['200', '206']) expect(image[status].content['application/octet-stream'].schema).toEqual({ type: 'string', format: 'binary' });
    expect(Object.keys(doc.paths['/api/v1/firmware'].post.requestBody.content)).toEqual(['application/octet-stream']);
    expect(Object.keys(doc.paths['/api/v1/devices/import'].post.requestBody.content)).toEqual(['text/csv', 'application/x-ndjson', 'application/octet-stream', 'application/json']);
    expect(doc.paths['/api/v1/devices'].get.requestBody).toBeUndefined();
    const params = doc.paths['/api/v1/extra/{thing}'].get.parameters.map((p: { name: string; in: string; required: boolean }) => [p.name, p.in, p.required]);
    expect(params).toEqual([['thing', 'path', true], ['since', 'query', true], ['until', 'query', false]]);
  });
});
