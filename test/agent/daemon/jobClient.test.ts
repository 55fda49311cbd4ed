import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobClient } from '../../../agent/daemon/index.ts';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { ordersPlugin } from '../../../server/plugins/orders.ts';
import { addApprovedImage, type TestImage } from '../../server/helpers/images.ts';
import { startTestServer, type TestServer } from '../../server/helpers/server.ts';
import { hubId } from '../../server/helpers/snapshot.ts';
import { capturedLogger, linkClient, observe, openLink, requestHub as hub, tempDir, waitFor } from './helpers.ts';

async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('JobClient against the real server', () => {
  let t: TestServer;
  let image: TestImage;
  beforeAll(async () => {
    t = await startTestServer({ rigs: ['RIG-01', 'RIG-02', 'RIG-03', 'RIG-04'], serverOptions: { plugins: [ordersPlugin()] } });
    image = await addApprovedImage(t);
    const rows = [0, 1, 2].map((i) => ({ chfId: hubId(i), gpfId: hubId(i, true), manufacturerCode: '121D', model: 'EDMI-CH2', hardwareVersion: '1111', hanVariant: 'DualBand', region: 'South', smiStatus: i === 1 ? 'Commissioned' : 'Whitelisted', firmwareVersion: '01260300' }));
    const imported = await t.api('POST', '/api/v1/devices/import?custody=at-csp', { body: rows, token: t.tokens.operator });
    expect(imported.body, JSON.stringify(imported.body)).toMatchObject({ created: 3 });
    const order = await t.api('POST', '/api/v1/orders', {
      token: t.tokens.operator,
      body: { reference: 'UP-1', kind: 'supply-chain-uplift', party: { id: 'CSP-N' }, deliveryLocation: { id: 'DC-1' }, targets: [{ model: 'EDMI-CH2', firmwareVersion: image.version }], arrivals: [0, 1, 2].map((i) => ({ type: 'unit', chfId: hubId(i) })) },
    });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
  });
  afterAll(() => t.stop());

  const linkFor = (rigId: string) => openLink(tempDir(), { url: t.mqttUrl, rigId, secret: t.secrets[rigId]!, logger: capturedLogger().logger });

  it("gets the server's answer: the job for a hub on the order, a refusal with the reason for others", async () => {
    const { link } = await linkFor('RIG-01');
    const jobs = new JobClient(link);
    link.start();
    const answer = await jobs.request(hub(0));
    expect(answer).toMatchObject({
      outcome: 'job',
      rigId: 'RIG-01',
      chfId: hubId(0),
      job: { orderId: 'ORD-000001', jobId: `ORD-000001:${hubId(0)}`, alreadyCurrent: false, target: { version: image.version, hash: image.sha256, size: image.bytes.length, url: `/api/v1/firmware/${image.sha256}/image` } },
    });
    // Two at once are told apart by request ID.
    const [installed, unknown] = await Promise.all([jobs.request(hub(1)), jobs.request(hub(7))]);
    expect(installed).toMatchObject({ outcome: 'refused', chfId: hubId(1), error: { code: 'HF0706', name: 'IneligibleInstalled' } });
    // A hub the inventory has never heard of is on no live order.
    expect(unknown).toMatchObject({ outcome: 'refused', chfId: hubId(7), error: { code: 'HF0717' } });
  });

  it('sends a request made while disconnected as soon as it connects (not at the next retry)', async () => {
    const watch = await observe(t);
    const { link } = await linkFor('RIG-02');
    const jobs = new JobClient(link, 60_000);
    const pending = jobs.request(hub(2));
    expect(link.connected).toBe(false);
    link.start();
    const answer = await pending;
    expect(answer).toMatchObject({ outcome: 'job', chfId: hubId(2) });
    await waitFor(() => watch.jobRequests.some((r) => r.rigId === 'RIG-02'), 'the observer to see the request');
    expect(watch.jobRequests.filter((r) => r.rigId === 'RIG-02')).toHaveLength(1);
  });

  it('rejects with DaemonStopped on abort, and never sends the abandoned request', async () => {
    const watch = await observe(t);
    const { link } = await linkFor('RIG-03');
    const jobs = new JobClient(link, 60_000);
    const stop = new AbortController();
    const waiting = jobs.request(hub(0), stop.signal);
    stop.abort();
    const err = await rejectionOf(waiting);
    expect(isHubflashError(err, ErrorCode.DaemonStopped), String(err)).toBe(true);
    expect(isHubflashError(await rejectionOf(jobs.request(hub(0), stop.signal)), ErrorCode.DaemonStopped)).toBe(true);
    link.start();
    // A live request after the abandoned ones: it is answered, and it is the only one sent.
    expect(await jobs.request(hub(2))).toMatchObject({ outcome: 'job' });
    await waitFor(() => watch.jobRequests.some((r) => r.rigId === 'RIG-03'), 'the observer to see the request');
    expect(watch.jobRequests.filter((r) => r.rigId === 'RIG-03').map((r) => r.hub.chfId)).toEqual([hubId(2)]);
  });

  it('fails a request the wire schema refuses, and does not try it again on a reconnection', async () => {
    const { link } = await linkFor('RIG-04');
    const jobs = new JobClient(link, 60_000);
    // A hub reporting an empty model name: asked while disconnected, refused once connected.
    const odd = jobs.request(hub(0, { model: '' }));
    link.start();
    expect(isHubflashError(await rejectionOf(odd), ErrorCode.InvalidMessage)).toBe(true);
    expect(isHubflashError(await rejectionOf(jobs.request(hub(0, { model: 'x'.repeat(101) }))), ErrorCode.InvalidMessage)).toBe(true);
    const reconnected = new Promise<void>((resolve) => link.once('connected', () => resolve()));
    linkClient(link).stream.destroy();
    await reconnected;
    expect(await jobs.request(hub(2))).toMatchObject({ outcome: 'job' });
    await waitFor(() => link.connected, 'still connected');
  });
});
