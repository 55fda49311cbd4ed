import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersPlugin } from '../../../server/plugins/orders.ts';
import { addApprovedImage, type TestImage } from '../helpers/images.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { chf, hubRecord } from './harness.ts';

/** The orders API's roles (docs/orders.md, "API routes") and its list filters, through real HTTP. */
describe('orders API: roles and filters', () => {
  let t: TestServer;
  let image: TestImage;
  const ids: Record<'A' | 'B' | 'C', string> = { A: '', B: '', C: '' };
  const asns: Record<'A' | 'B', string> = { A: '', B: '' };

  const order = (reference: string, party: string, hubs: string[]) => ({
    reference,
    kind: 'return-for-reflash',
    party: { id: party },
    deliveryLocation: { id: 'DEPOT-1' },
    targets: [{ model: 'EDMI-CH2', firmwareVersion: image.version }],
    arrivals: hubs.map((chfId) => ({ type: 'unit', chfId })),
  });
  const verify = (i: number, orderId: string, finishedAt: string): void => {
    const h = hubRecord(i);
    t.server.context.results.submit('RIG-01', {
      v: 1, resultId: crypto.randomUUID(), rigId: 'RIG-01',
      hub: { chfId: h.chfId, gpfId: h.gpfId!, manufacturerCode: 0x121d, model: 'EDMI-CH2', hardwareVersion: 0x1111, hanVariant: h.hanVariant! },
      from: { version: '01260300' }, to: { version: image.version, hash: image.sha256 }, outcome: 'verified', imageHash: image.sha256,
      bytesSent: image.bytes.length, bytesResent: 0, resumes: 0, phases: {}, startedAt: finishedAt, finishedAt, orderId,
    });
  };
  const get = async (url: string): Promise<any> => {
    const res = await t.api('GET', url, { token: t.tokens.viewer });
    expect(res.status, url).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    const plugin = ordersPlugin();
    t = await startTestServer({ config: { storageThread: false }, serverOptions: { plugins: [plugin] } });
    image = await addApprovedImage(t);
    const rows = [0, 1, 2, 3, 4, 5].map((i) => {
      const h = hubRecord(i);
      return { chfId: h.chfId, gpfId: h.gpfId, manufacturerCode: '121D', model: h.model, hardwareVersion: '1111', hanVariant: h.hanVariant, region: 'North', smiStatus: 'Whitelisted', firmwareVersion: '01260300' };
    });
    expect((await t.api('POST', '/api/v1/devices/import', { body: rows, token: t.tokens.operator })).body.created).toBe(6);
    const take = async (reference: string, party: string, hubs: string[]) =>
      (await t.api('POST', '/api/v1/orders', { body: order(reference, party, hubs), token: t.tokens.operator })).body.order.orderId as string;
    ids.A = await take('PO-A', 'SUPPLIER-A', [chf(0), chf(1), chf(2), chf(90)]); // hub 90 is unknown: ineligible
    ids.B = await take('PO-B', 'SUPPLIER-B', [chf(3), chf(4)]);
    ids.C = await take('PO-C', 'SUPPLIER-A', [chf(5)]);
    expect((await t.api('POST', `/api/v1/orders/${ids.C}/cancel`, { body: { reason: 'withdrawn' }, token: t.tokens.operator })).status).toBe(200);
    verify(0, ids.A, '2026-11-20T10:00:00Z');
    verify(1, ids.A, '2026-11-20T11:00:00Z');
    verify(3, ids.B, '2026-11-25T10:00:00Z');
    await t.server.context.results.idle();
    for (const [key, at] of [['A', '2026-12-01T10:00:00Z'], ['B', '2026-12-05T10:00:00Z']] as const) {
      asns[key] = (await t.api('POST', `/api/v1/orders/${ids[key]}/asns`, { token: t.tokens.operator })).body.asn.asnId;
      expect((await t.api('POST', `/api/v1/asns/${asns[key]}/delivery`, { body: { at }, token: t.tokens.operator })).status).toBe(200);
    }
  });
  afterAll(() => t?.stop());

  it('refuses every POST route to a viewer (and to no token), and lets an operator through', async () => {
    const operatorRoutes: Array<[string, unknown, number]> = [
      ['/api/v1/orders', {}, 400],
      ['/api/v1/orders/ORD-999999/receive', {}, 404],
      ['/api/v1/orders/ORD-999999/cancel', { reason: 'x' }, 404],
      ['/api/v1/orders/ORD-999999/asns', undefined, 404],
      ['/api/v1/asns/ASN-99999999/replace', {}, 404],
      ['/api/v1/asns/ASN-99999999/cancel', { reason: 'x' }, 404],
      ['/api/v1/asns/ASN-99999999/delivery', {}, 404],
    ];
    for (const [url, body, operatorStatus] of operatorRoutes) {
      expect((await t.api('POST', url, { body, token: null })).status, `${url} without a token`).toBe(401);
      const viewer = await t.api('POST', url, { body, token: t.tokens.viewer });
      expect([viewer.status, viewer.body.error?.code], `${url} as viewer`).toEqual([403, 'HF0604']);
      expect((await t.api('POST', url, { body, token: t.tokens.operator })).status, `${url} as operator`).toBe(operatorStatus);
    }
  });

  it('keeps tariff changes to admins', async () => {
    const change = { 'returned-redeployed': { SingleBand: 830 } };
    for (const token of [t.tokens.viewer, t.tokens.operator]) expect((await t.api('POST', '/api/v1/tariffs/2030-31', { body: change, token })).status).toBe(403);
    expect((await t.api('POST', '/api/v1/tariffs/2030-31', { body: change, token: t.tokens.admin })).status).toBe(200);
  });

  it('lets a viewer read every GET route, and no token none', async () => {
    const routes = ['/api/v1/orders', `/api/v1/orders/${ids.A}`, `/api/v1/orders/${ids.A}/lines`, '/api/v1/asns', `/api/v1/asns/${asns.A}`, `/api/v1/asns/${asns.A}.csv`, `/api/v1/asns/${asns.A}.856`,
      '/api/v1/charges', '/api/v1/tariffs/current', '/api/v1/tariffs/2026-27', '/api/v1/reconciliation', '/api/v1/smi-changes?since=2026-11-01', '/api/v1/stock', `/api/v1/devices/${chf(0)}/custody`];
    for (const url of routes) {
      expect((await t.api('GET', url, { token: t.tokens.viewer })).status, url).toBe(200);
      expect((await t.api('GET', url, { token: null })).status, url).toBe(401);
    }
  });

  it('filters orders by party and status, and lines by state', async () => {
    const orderIds = (body: any): string[] => body.items.map((x: any) => x.order.orderId);
    expect(orderIds(await get('/api/v1/orders'))).toEqual([ids.A, ids.B, ids.C]);
    expect(orderIds(await get('/api/v1/orders?party=SUPPLIER-B'))).toEqual([ids.B]);
    expect(orderIds(await get('/api/v1/orders?status=cancelled'))).toEqual([ids.C]);
    expect(orderIds(await get('/api/v1/orders?party=SUPPLIER-A&status=open'))).toEqual([ids.A]);
    const chfIds = (body: any): string[] => body.items.map((l: any) => l.chfId);
    expect(chfIds(await get(`/api/v1/orders/${ids.A}/lines?state=ineligible`))).toEqual([chf(90)]);
    expect(chfIds(await get(`/api/v1/orders/${ids.A}/lines?state=delivered`))).toEqual([chf(0), chf(1)]);
    expect(chfIds(await get(`/api/v1/orders/${ids.A}/lines`))).toHaveLength(4);
  });

  it('filters ASNs by order, charges by party and UK date, SMI changes by time, reconciliation by kind and limit', async () => {
    expect((await get(`/api/v1/asns?orderId=${ids.B}`)).items.map((a: any) => a.asnId)).toEqual([asns.B]);
    expect((await get('/api/v1/asns')).items).toHaveLength(2);
    const charged = (body: any): string[] => body.lines.map((l: any) => l.chfId);
    expect(charged(await get('/api/v1/charges'))).toHaveLength(3);
    expect(charged(await get('/api/v1/charges?party=SUPPLIER-B'))).toEqual([chf(3)]);
    expect(charged(await get('/api/v1/charges?from=2026-12-02'))).toEqual([chf(3)]);
    expect(charged(await get('/api/v1/charges?to=2026-12-01')).sort()).toEqual([chf(0), chf(1)]);
    const changed = (body: any): string[] => body.items.map((c: any) => c.chfId);
    expect(changed(await get('/api/v1/smi-changes?since=2026-11-21'))).toEqual([chf(3)]);
    expect(changed(await get('/api/v1/smi-changes?since=2026-11-01&until=2026-11-20T10:30:00Z'))).toEqual([chf(0)]);
    const unknown = await get('/api/v1/reconciliation?kind=unknown-hub');
    expect(unknown.items.map((i: any) => [i.kind, i.chfId])).toEqual([['unknown-hub', chf(90)]]);
    const none = await get('/api/v1/reconciliation?kind=unknown-hub&limit=0');
    expect([none.items, none.counts['unknown-hub'], none.truncated]).toEqual([[], 1, true]);
  });
});
