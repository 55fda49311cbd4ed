import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X12Parser } from 'node-x12';
import { asn as asnSchema, chargeReport, reconciliationReport, stockReport, takeResult } from '../../../server/api/orderSchemas.ts';
import { ordersPlugin } from '../../../server/plugins/orders.ts';
import { addApprovedImage, type TestImage } from '../helpers/images.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { chf, hubRecord } from './harness.ts';

/** The orders routes through real HTTP on a real server with the orders plugin. */
describe('orders API', () => {
  let t: TestServer;
  let image: TestImage;
  const plugin = ordersPlugin();
  const order = (reference: string, hubs: number[]) => ({
    reference,
    kind: 'return-for-reflash',
    party: { id: 'SUPPLIER-A', name: 'Supplier A' },
    deliveryLocation: { id: 'DEPOT-1' },
    targets: [{ model: 'EDMI-CH2', firmwareVersion: image.version }],
    arrivals: [{ type: 'carton', sscc: '354123450000000014', hubs: hubs.map((i) => chf(i)) }],
  });

  beforeAll(async () => {
    // One thread: the test uses the plugin's desk and the server's parts directly.
    t = await startTestServer({ config: { storageThread: false }, serverOptions: { plugins: [plugin] } });
    image = await addApprovedImage(t);
    const rows = [0, 1, 2].map((i) => {
      const h = hubRecord(i);
      return { chfId: h.chfId, gpfId: h.gpfId, manufacturerCode: '121D', model: h.model, hardwareVersion: '1111', hanVariant: h.hanVariant, region: 'North', smiStatus: 'Whitelisted', firmwareVersion: '01260300' };
    });
    const res = await t.api('POST', '/api/v1/devices/import', { body: rows, token: t.tokens.operator });
    expect(res.body.created).toBe(3);
  });
  afterAll(() => t.stop());

  it('checks roles: viewers read, operators take orders, admins change tariffs', async () => {
    expect((await t.api('POST', '/api/v1/orders', { body: order('PO-X', [0]), token: t.tokens.viewer })).status).toBe(403);
    expect((await t.api('GET', '/api/v1/orders', { token: null })).status).toBe(401);
    expect((await t.api('POST', '/api/v1/tariffs/2026-27', { body: { reflash: { DualBand: 900 } }, token: t.tokens.operator })).status).toBe(403);
    const set = await t.api('POST', '/api/v1/tariffs/2026-27', { body: { reflash: { DualBand: 900 } }, token: t.tokens.admin });
    expect(set.status).toBe(200);
    expect(set.body.entries.find((e: { serviceLine: string; hanVariant: string }) => e.serviceLine === 'reflash' && e.hanVariant === 'DualBand')).toMatchObject({ pence: 900, source: 'admin' });
    expect((await t.api('GET', '/api/v1/tariffs/2026-27', { token: t.tokens.viewer })).body.regulatoryYear).toBe('2026/27');
  });

  it('takes an order, follows it through an ASN and its exports, delivery and charges', async () => {
    const taken = await t.api('POST', '/api/v1/orders', { body: order('PO-1', [0, 1, 2]), token: t.tokens.operator });
    expect(taken.status).toBe(201);
    expect(takeResult.safeParse(taken.body).success).toBe(true);
    const orderId = taken.body.order.orderId as string;
    const again = await t.api('POST', '/api/v1/orders', { body: order('PO-1', [0]), token: t.tokens.operator });
    expect([again.status, again.body.error.code]).toEqual([409, 'HF0700']);
    const badSscc = await t.api('POST', '/api/v1/orders', { body: { ...order('PO-2', [0]), arrivals: [{ type: 'carton', sscc: '354123450000000013', hubs: [chf(0)] }] }, token: t.tokens.operator });
    expect([badSscc.status, badSscc.body.error.code]).toEqual([400, 'HF0703']);
    expect(badSscc.body.error.message).toContain('expected 4');

    expect((await t.api('POST', `/api/v1/orders/${orderId}/receive`, { body: { ssccs: ['354123450000000014'] }, token: t.tokens.operator })).body.received).toBe(3);
    const none = await t.api('POST', `/api/v1/orders/${orderId}/asns`, { token: t.tokens.operator });
    expect([none.status, none.body.error.code]).toEqual([409, 'HF0713']);

    // Results from a rig (as the ingest applies them) verify the hubs.
    const desk = plugin.desk!;
    for (const i of [0, 1, 2]) {
      const h = hubRecord(i);
      t.server.context.results.submit('RIG-01', {
        v: 1, resultId: crypto.randomUUID(), rigId: 'RIG-01',
        hub: { chfId: h.chfId, gpfId: h.gpfId!, manufacturerCode: 0x121d, model: 'EDMI-CH2', hardwareVersion: 0x1111, hanVariant: h.hanVariant! },
        from: { version: '01260300' }, to: { version: image.version, hash: image.sha256 }, outcome: 'verified', imageHash: image.sha256,
        bytesSent: image.bytes.length, bytesResent: 0, resumes: 0, phases: {}, startedAt: '2026-11-28T10:00:00Z', finishedAt: '2026-11-28T10:01:00Z', orderId,
      });
    }
    await t.server.context.results.idle();
    expect((await desk.order(orderId)).progress.verified).toBe(3);

    const issued = await t.api('POST', `/api/v1/orders/${orderId}/asns`, { token: t.tokens.operator });
    expect(issued.status).toBe(201);
    const asnId = issued.body.asn.asnId as string;
    const full = await t.api('GET', `/api/v1/asns/${asnId}`, { token: t.tokens.viewer });
    expect(asnSchema.safeParse(full.body).success).toBe(true);
    const csv = await t.api('GET', `/api/v1/asns/${asnId}.csv`, { token: t.tokens.viewer });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(parse(Buffer.from(csv.body).toString(), { columns: true })).toHaveLength(3);
    const x12 = await t.api('GET', `/api/v1/asns/${asnId}.856`, { token: t.tokens.viewer });
    const interchange = new X12Parser(true).parse(Buffer.from(x12.body).toString()) as { functionalGroups: Array<{ transactions: Array<{ segments: Array<{ tag: string }> }> }> };
    expect(interchange.functionalGroups[0]!.transactions[0]!.segments.filter((s) => s.tag === 'HL')).toHaveLength(2 + full.body.totals.pallets + full.body.totals.cartons + 3);
    expect((await t.api('GET', '/api/v1/asns/NOPE.856', { token: t.tokens.viewer })).status).toBe(404);

    const delivered = await t.api('POST', `/api/v1/asns/${asnId}/delivery`, { body: { at: '2026-12-01T10:00:00Z' }, token: t.tokens.operator });
    expect(delivered.body.order.status).toBe('fulfilled');
    const charges = await t.api('GET', '/api/v1/charges?party=SUPPLIER-A&from=2026-12-01&to=2026-12-31', { token: t.tokens.viewer });
    expect(chargeReport.safeParse(charges.body).success).toBe(true);
    expect(charges.body.totals.pence).toBe(900 + 827 + 900);
    const chargesCsv = await t.api('GET', '/api/v1/charges?party=SUPPLIER-A&format=csv', { token: t.tokens.viewer });
    expect(parse(Buffer.from(chargesCsv.body).toString(), { columns: true })).toHaveLength(3);

    const custody = await t.api('GET', `/api/v1/devices/${chf(0)}/custody`, { token: t.tokens.viewer });
    expect(custody.body.lines.map((l: { to: string }) => l.to)).toEqual(['in-transit-to-csp', 'at-csp', 'in-transit-to-user', 'delivered']);
    const smi = await t.api('GET', '/api/v1/smi-changes?since=2026-11-01', { token: t.tokens.viewer });
    expect(smi.body.items).toHaveLength(3);
    const recon = await t.api('GET', '/api/v1/reconciliation', { token: t.tokens.viewer });
    expect(reconciliationReport.safeParse(recon.body).success).toBe(true);
    const stock = await t.api('GET', '/api/v1/stock', { token: t.tokens.viewer });
    expect(stockReport.safeParse(stock.body).success).toBe(true);
    expect(stock.body.by.holder.User.hubs).toBe(3);

    const audit = await t.api('GET', '/api/v1/audit?limit=1000', { token: t.tokens.admin });
    const actions = (audit.body.items as Array<{ action: string }>).map((e) => e.action);
    for (const a of ['order.take', 'order.receive', 'asn.issue', 'asn.deliver', 'charges.write', 'tariff.set']) expect(actions).toContain(a);
  });

  it('documents its routes in the OpenAPI document', async () => {
    const doc = await t.api('GET', '/api/v1/openapi.json', { token: null });
    for (const p of ['/api/v1/orders', '/api/v1/orders/{orderId}/asns', '/api/v1/asns/{asnRef}', '/api/v1/charges', '/api/v1/reconciliation', '/api/v1/smi-changes', '/api/v1/stock', '/api/v1/devices/{chfId}/custody']) {
      expect(Object.keys(doc.body.paths)).toContain(p);
    }
  });
});
