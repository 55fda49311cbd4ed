import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as asnCmd from '../../../cli/commands/asn.ts';
import * as chargesCmd from '../../../cli/commands/charges.ts';
import * as custodyCmd from '../../../cli/commands/custody.ts';
import * as orderCmd from '../../../cli/commands/order.ts';
import * as reconcileCmd from '../../../cli/commands/reconcile.ts';
import * as smiCmd from '../../../cli/commands/smi-changes.ts';
import * as stockCmd from '../../../cli/commands/stock.ts';
import { ordersPlugin } from '../../../server/plugins/orders.ts';
import { runCli } from '../helpers/cli.ts';
import { addApprovedImage, type TestImage } from '../helpers/images.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { chf, hubRecord } from './harness.ts';

/** The orders commands against a real server: each wraps the API, --json on read commands. */
describe('hubflash order, asn, reconcile, charges, tariff, smi-changes, stock, custody', () => {
  let t: TestServer;
  let image: TestImage;
  let flags: string[];
  const cli = (...args: string[]) => runCli([...args, ...flags], [orderCmd, asnCmd, chargesCmd, custodyCmd, reconcileCmd, smiCmd, stockCmd]);

  beforeAll(async () => {
    // One thread: the test submits results through the server's parts (server.context).
    t = await startTestServer({ config: { storageThread: false }, serverOptions: { plugins: [ordersPlugin()] } });
    flags = ['--server', `http://127.0.0.1:${t.addresses.http}`, '--token', t.tokens.admin];
    image = await addApprovedImage(t);
    const rows = [0, 1].map((i) => ({ chfId: chf(i), gpfId: chf(i, true), manufacturerCode: '121D', model: 'EDMI-CH2', hardwareVersion: '1111', hanVariant: hubRecord(i).hanVariant, region: 'Central', smiStatus: 'Whitelisted', firmwareVersion: '01260300' }));
    await t.api('POST', '/api/v1/devices/import', { body: rows });
  });
  afterAll(() => t.stop());

  it('takes an order from a file, refuses it twice with its code, and shows its progress', async () => {
    const file = path.join(t.dataDir, 'order.json');
    writeFileSync(file, JSON.stringify({ reference: 'PO-9', kind: 'return-for-reflash', party: { id: 'SUP-B' }, deliveryLocation: { id: 'D-2' }, targets: [{ model: 'EDMI-CH2', firmwareVersion: image.version }], arrivals: [{ type: 'unit', chfId: chf(0) }, { type: 'unit', chfId: chf(1) }, { type: 'unit', chfId: chf(7) }] }));
    const taken = await cli('order', 'take', file);
    expect(taken.exitCode).toBe(0);
    expect(taken.stdout).toContain('ORD-000001');
    expect(taken.stdout).toMatch(/HF0704 Hub 00-DB-00-00-00-00-00-0E is not in the inventory/);
    const again = await cli('order', 'take', file);
    expect([again.exitCode, again.stderr]).toEqual([1, expect.stringContaining('(HF0700)')]);
    const shown = JSON.parse((await cli('order', 'show', 'ORD-000001', '--json')).stdout);
    expect(shown.progress).toMatchObject({ expected: 2, ineligible: 1 });
    expect((await cli('order', 'receive', 'ORD-000001')).stdout).toContain('2 hubs received');
  });

  it('issues and exports an ASN, confirms delivery, and reports charges, SMI changes, stock and custody', async () => {
    for (const i of [0, 1]) {
      t.server.context.results.submit('RIG-02', {
        v: 1, resultId: randomUUID(), rigId: 'RIG-02',
        hub: { chfId: chf(i), gpfId: chf(i, true), manufacturerCode: 0x121d, model: 'EDMI-CH2', hardwareVersion: 0x1111, hanVariant: hubRecord(i).hanVariant! },
        from: { version: '01260300' }, to: { version: image.version, hash: image.sha256 }, outcome: 'verified', imageHash: image.sha256,
        bytesSent: 1, bytesResent: 0, resumes: 0, phases: {}, startedAt: '2026-11-28T10:00:00Z', finishedAt: '2026-11-28T10:02:00Z',
      });
    }
    await t.server.context.results.idle();
    const recon = JSON.parse((await cli('reconcile', '--json')).stdout);
    expect(recon.items.map((i: { kind: string }) => i.kind).sort()).toEqual(['flashed-not-on-asn', 'flashed-not-on-asn', 'unknown-hub']);
    expect((await cli('reconcile')).stdout).toContain('Issue an ASN for the order');

    const issued = await cli('asn', 'issue', 'ORD-000001');
    expect(issued.stdout).toMatch(/ASN-00000001 \(original\) for ORD-000001: 2 hubs on 1 pallets, 2 cartons, to SUP-B\/D-2/);
    expect(issued.stdout).toContain('/api/v1/asns/ASN-00000001.856');
    const x12 = await cli('asn', 'export', 'ASN-00000001', '--format', '856');
    expect(x12.stdout).toMatch(/^ISA\*/);
    expect(x12.stdout).toContain('BSN*00*ASN-00000001*');
    expect((await cli('asn', 'deliver', 'ASN-00000001', '--at', '2026-12-02T10:00:00Z')).stdout).toContain('2 charge lines, £16.54; order ORD-000001 is fulfilled');

    const csv = parse((await cli('charges', '--party', 'SUP-B', '--from', '2026-12-01', '--to', '2026-12-31', '--csv')).stdout, { columns: true }) as Array<Record<string, string>>;
    expect(csv.map((r) => r.pence)).toEqual(['827', '827']);
    expect((await cli('charges', '--party', 'SUP-B')).stdout).toContain('placeholder');
    expect((await cli('tariff', 'set', '2026/27', '--service', 'reflash', '--han', 'DualBand', '--pence', '999')).stdout).toMatch(/reflash\s+DualBand\s+£9.99\s+admin/);
    expect((await cli('tariff', 'set', '2026/27', '--service', 'reflash', '--han', 'DualBand', '--pence', '9.99')).stderr).toContain('HF0718');

    const smi = JSON.parse((await cli('smi-changes', '--since', '2026-11-28', '--json')).stdout);
    expect(smi.map((c: { chfId: string }) => c.chfId)).toEqual([chf(0), chf(1)]);
    expect((await cli('smi-changes', '--since', '2026-11-28', '--csv')).stdout.split('\r\n')[0]).toContain('beforeVersion');
    expect((await cli('stock')).stdout).toMatch(/2 hubs: 0 past their installation end date/);
    const custody = await cli('custody', chf(0));
    expect(custody.stdout).toMatch(/in-transit-to-user\s+delivered\s+SUP-B \(SUP-B\) at D-2/);
    expect((await cli('devices', 'history', chf(0))).stdout).toContain('custody-change');
  });
});
