import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deviceRoutes } from '../../../server/api/routes/devices.ts';
import { errorBody, historyEvent, hubRecord, importReport, page } from '../../../server/api/schemas.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { csvLine, csvSnapshot, hubId, sampleHub } from '../helpers/snapshot.ts';

/** Streams a generated CSV snapshot as the request body (never held whole in memory). */
function streamedCsv(count: number, lineOf?: (i: number) => string): { body: ReadableStream; duplex: 'half' } {
  return { body: Readable.toWeb(csvSnapshot(count, 0, lineOf)) as ReadableStream, duplex: 'half' };
}

describe('devices API', () => {
  let t: TestServer;
  let base: string;
  beforeAll(async () => {
    // One thread: the test reads the server's routes from its parts (server.context).
    t = await startTestServer({ config: { storageThread: false } });
    base = `http://127.0.0.1:${t.addresses.http}/api/v1`;
  });
  afterAll(() => t.stop());

  it('imports a streamed 20 000-row CSV snapshot, reporting bad rows by line and keeping the rest', async () => {
    const res = await fetch(`${base}/devices/import?source=smi-2025-01.csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.tokens.operator}`, 'content-type': 'text/csv' },
      ...streamedCsv(20_000, (i) => (i === 100 ? csvLine({ ...sampleHub(i), region: 'Wales' }) : csvLine(sampleHub(i)))),
    } as RequestInit);
    expect(res.status).toBe(200);
    const report = importReport.parse(await res.json());
    expect(report).toMatchObject({ rows: 20_000, created: 19_999, invalid: 1, errors: [{ line: 102, reason: expect.stringContaining('region "Wales"') }] });
    const stats = await t.api('GET', '/api/v1/devices/stats', { token: t.tokens.viewer });
    expect(stats.body.total).toBe(19_999);
  });

  it('imports JSON Lines and a JSON array', async () => {
    const lines = [20_000, 20_001].map((i) => JSON.stringify({ ...sampleHub(i), custody: 'at-csp' })).join('\n');
    const a = await t.api('POST', '/api/v1/devices/import?format=json', { token: t.tokens.operator, body: lines, headers: { 'content-type': 'application/x-ndjson' } });
    expect(a.body).toMatchObject({ created: 2, invalid: 0 });
    const b = await t.api('POST', '/api/v1/devices/import', { token: t.tokens.operator, body: [sampleHub(20_002)] });
    expect(b.body).toMatchObject({ created: 1 });
    expect((await t.api('GET', `/api/v1/devices/${hubId(20_001)}`)).body.custody).toBe('at-csp');
  });

  it('gets a hub by ID in any spelling', async () => {
    const id = hubId(7);
    const res = await t.api('GET', `/api/v1/devices/${id.replace(/-/g, '').toLowerCase()}`, { token: t.tokens.viewer });
    expect(res.status).toBe(200);
    expect(hubRecord.parse(res.body)).toMatchObject({ chfId: id, smiStatus: sampleHub(7).smiStatus, custody: 'with-user' });
    const missing = await t.api('GET', `/api/v1/devices/${hubId(999_999)}`);
    expect(missing.status).toBe(404);
    expect(errorBody.parse(missing.body).error).toMatchObject({ code: 'HF0606', name: 'DeviceNotFound' });
    expect((await t.api('GET', '/api/v1/devices/not-an-id')).body.error.code).toBe('HF0400');
  });

  it('answers filtered queries page by page', async () => {
    const expected = Array.from({ length: 20_000 }, (_, i) => sampleHub(i)).filter(
      (h, i) => i !== 100 && h.smiStatus === 'Whitelisted' && h.firmwareVersion === '01260300' && h.model === 'EDMI-CH2' && h.hanVariant === 'DualBand',
    );
    const got: string[] = [];
    let cursor = '';
    for (;;) {
      const res = await t.api('GET', `/api/v1/devices?status=Whitelisted&firmwareVersion=1.38.3&model=EDMI-CH2&hanVariant=DualBand&limit=50${cursor}`, { token: t.tokens.viewer });
      const p = page(hubRecord).parse(res.body);
      got.push(...p.items.map((h) => h.chfId));
      if (!p.nextCursor) break;
      cursor = `&cursor=${p.nextCursor}`;
    }
    expect(got).toEqual(expected.map((h) => h.chfId));
    const bad = await t.api('GET', '/api/v1/devices?status=Installed', { token: t.tokens.viewer });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'HF0605']);
  });

  it('lists a hub\'s history', async () => {
    const res = await t.api('GET', `/api/v1/devices/${hubId(5)}/history`, { token: t.tokens.viewer });
    const events = page(historyEvent).parse(res.body).items;
    expect(events).toEqual([expect.objectContaining({ type: 'import', by: expect.stringContaining('file:smi-2025-01.csv'), details: { created: true } })]);
  });

  it('needs a token, and the operator role to import', async () => {
    expect((await t.api('GET', '/api/v1/devices/stats', { token: null })).status).toBe(401);
    expect((await t.api('GET', '/api/v1/devices/stats', { token: 'hft_abcd_wrongwrongwrongwrong' })).status).toBe(401);
    const viewer = await t.api('POST', '/api/v1/devices/import', { token: t.tokens.viewer, body: [sampleHub(1)] });
    expect([viewer.status, viewer.body.error.code]).toEqual([403, 'HF0604']);
  });

  it('serves an OpenAPI document describing every route', async () => {
    const res = await t.api('GET', '/api/v1/openapi.json', { token: null });
    expect(res.body.openapi).toBe('3.1.0');
    for (const spec of deviceRoutes(t.server.context)) {
      const path = `/api/v1${spec.url.replace(/:(\w+)/g, '{$1}')}`;
      expect(res.body.paths[path]?.[spec.method.toLowerCase()]?.summary).toBe(spec.summary);
    }
    const list = res.body.paths['/api/v1/devices'].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['status', 'firmwareVersion', 'region', 'hanVariant', 'model', 'custody', 'limit', 'cursor']));
    expect(z.object({ error: z.object({ code: z.string() }) }).safeParse((await t.api('GET', '/api/v1/nowhere')).body).success).toBe(true);
  });
});
