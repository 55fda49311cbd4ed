import { randomUUID } from 'node:crypto';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAck, decodeJob, encodeJobRequest, encodeResult, rigCommandFilter, rigTopic, type JobMessage } from '../../../protocol/mqtt/index.ts';
import type { ServerPlugin } from '../../../server/index.ts';
import { ordersPlugin } from '../../../server/plugins/orders.ts';
import { sampleResult } from '../../protocol/mqtt/fixtures.ts';
import { startTestServer, waitFor, type TestServer } from '../helpers/server.ts';
import { hubId } from '../helpers/snapshot.ts';
import { tempDir } from '../helpers/tempDir.ts';

const failed = (i: number) => sampleResult({ outcome: 'failed', imageHash: undefined, error: { code: 'HF0304', name: 'DeviceFlashFailure', message: 'x' }, hub: { ...sampleResult().hub, chfId: hubId(i) } });

/** The deployed shape: the broker on the main thread, storage, ingest, the orders plugin and the API in a worker thread. */
describe('a server with a storage thread', () => {
  let t: TestServer;
  let rig: MqttClient;
  const acked: string[] = [];
  const jobs: JobMessage[] = [];

  beforeAll(async () => {
    t = await startTestServer({ serverOptions: { plugins: [ordersPlugin()] } });
    rig = await t.connectRig('RIG-01');
    await rig.subscribeAsync(rigCommandFilter('RIG-01'), { qos: 1 });
    rig.on('message', (topic, payload) => {
      if (topic.endsWith('/cmd/ack')) acked.push(...decodeAck(payload).resultIds);
      else jobs.push(decodeJob(payload));
    });
  });
  afterAll(() => t.stop());

  it('keeps its parts in that thread; the context here has the config and commands to rigs', async () => {
    expect(() => t.server.context.store).toThrow(/server.context.store lives in the storage thread/);
    expect(() => t.server.context.inventory).toThrow(/storageThread: false/);
    expect(t.server.context.config.storageThread).toBe(true);
    expect(t.server.storageThreadUtilization()).toMatchObject({ utilization: expect.any(Number) });
    const job = { v: 1, requestId: randomUUID(), rigId: 'RIG-01', chfId: hubId(0), at: new Date().toISOString(), outcome: 'refused', error: { code: 'HF0717', name: 'NoJobForHub', message: 'x' } };
    await t.server.context.sendToRig('RIG-01', 'job', Buffer.from(JSON.stringify(job)));
    await waitFor(() => jobs.find((j) => j.requestId === job.requestId), 'the job sent from the main thread');
  });

  it('stores, applies and acknowledges results sent to the broker on the main thread', async () => {
    const results = Array.from({ length: 200 }, (_, i) => failed(i));
    for (const r of results) rig.publish(rigTopic('RIG-01', 'results'), encodeResult(r), { qos: 1 });
    await waitFor(() => results.every((r) => acked.includes(r.resultId)), 'acks for all 200');
    expect((await t.api('GET', `/api/v1/results/${results[199]!.resultId}`)).body).toMatchObject({ rigId: 'RIG-01', applied: true });
    expect((await t.api('GET', `/api/v1/devices/${hubId(7)}/history`)).body.items.map((e: { type: string }) => e.type)).toEqual(['result']);
    const ingest = (await t.api('GET', '/api/v1/ingest')).body;
    expect(ingest.results).toMatchObject({ stored: 200, acknowledged: 200 });
  });

  it("answers a plugin's rig message kind from that thread, back through the broker", async () => {
    const requestId = randomUUID();
    const hub = sampleResult().hub;
    await rig.publishAsync(rigTopic('RIG-01', 'job-request'), encodeJobRequest({ v: 1, requestId, rigId: 'RIG-01', hub: { ...hub, imageType: 0, firmware: { version: '01260300' } }, at: new Date().toISOString() }), { qos: 1 });
    const answer = await waitFor(() => jobs.find((j) => j.requestId === requestId), 'the answer');
    expect(answer).toMatchObject({ outcome: 'refused' });
  });

  it('tells the storage thread about connections and refusals, in order, and logs through the given logger', async () => {
    expect((await t.api('GET', '/api/v1/rigs/RIG-01')).body).toMatchObject({ connected: true });
    const other = await t.connectRig('RIG-02');
    other.publish(rigTopic('RIG-01', 'results'), encodeResult(failed(900)), { qos: 1 }); // not its topic: refused, connection closed
    await waitFor(async () => (await t.api('GET', '/api/v1/ingest')).body.refused.publish === 1, 'the refusal counted');
    await waitFor(async () => (await t.api('GET', '/api/v1/rigs/RIG-02')).body.connected === false, 'RIG-02 shown disconnected');
    // Logged by the storage thread, written by the embedder's logger on the main thread.
    expect(t.logs.some((l) => l.msg === 'MQTT publish refused' && l.who === 'rig:RIG-02')).toBe(true);
  });
});

describe('choosing the threads', () => {
  it('runs on one thread with a plugin that cannot be made again in another', async () => {
    const local: ServerPlugin = { name: 'local', setup: () => undefined };
    const t = await startTestServer({ serverOptions: { plugins: [local] } });
    try {
      expect(t.server.context.store).toBeDefined();
      expect(t.server.storageThreadUtilization()).toBeUndefined();
    } finally {
      await t.stop();
    }
  });

  it('fails to start when the storage thread cannot, and leaves the data dir free', async () => {
    const taken = createNetServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const dataDir = tempDir();
    try {
      const port = (taken.address() as AddressInfo).port;
      await expect(startTestServer({ dataDir, config: { http: { port, host: '127.0.0.1' } } })).rejects.toThrow(/EADDRINUSE|in use/);
    } finally {
      taken.close();
    }
    const t = await startTestServer({ dataDir, rigs: [] });
    await t.stop();
  });

  it('finishes the results in flight when it stops, then frees the data dir', async () => {
    const dataDir = tempDir();
    const t = await startTestServer({ dataDir });
    const rig = await t.connectRig('RIG-01');
    const results = Array.from({ length: 300 }, (_, i) => failed(i));
    await Promise.all(results.map((r) => rig.publishAsync(rigTopic('RIG-01', 'results'), encodeResult(r), { qos: 1 })));
    await t.stop();
    // Acks for results finished after the broker closed go nowhere, quietly.
    expect(t.logs.filter((l) => l.level >= 50)).toEqual([]);
    const again = await startTestServer({ dataDir, rigs: [] });
    try {
      const page = (await again.api('GET', '/api/v1/results?limit=1000')).body;
      // Every result the broker had accepted (PUBACK) when the server stopped is stored.
      expect(page.items).toHaveLength(300);
    } finally {
      await again.stop();
    }
  });
});
