import { createHash, randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeAck,
  decodeJob,
  encodeJobRequest,
  encodeResult,
  rigCommandFilter,
  rigTopic,
  type JobMessage,
  type JobRequestMessageInput,
} from '../../../protocol/mqtt/index.ts';
import { ordersPlugin } from '../../../server/plugins/orders.ts';
import { addApprovedImage, type TestImage } from '../helpers/images.ts';
import { startTestServer, waitFor, type TestServer } from '../helpers/server.ts';
import { chf, hubRecord } from './harness.ts';

/** The job contract over the real broker with a real mqtt.js client, as a rig daemon uses it. */
describe('jobs over MQTT', () => {
  let t: TestServer;
  let image: TestImage;
  let rig: MqttClient;
  const answers: JobMessage[] = [];
  const acks: string[] = [];
  const plugin = ordersPlugin();

  const request = (i: number, over: Partial<JobRequestMessageInput['hub']> = {}): JobRequestMessageInput => {
    const h = hubRecord(i);
    return {
      v: 1,
      requestId: randomUUID(),
      rigId: 'RIG-01',
      hub: { chfId: h.chfId, gpfId: h.gpfId!, manufacturerCode: 0x121d, model: 'EDMI-CH2', hardwareVersion: 0x1111, hanVariant: h.hanVariant!, imageType: 0, firmware: { version: '01260300' }, ...over },
      at: new Date().toISOString(),
    };
  };
  const ask = async (m: JobRequestMessageInput): Promise<JobMessage> => {
    await rig.publishAsync(rigTopic('RIG-01', 'job-request'), encodeJobRequest(m), { qos: 1 });
    return waitFor(() => answers.find((a) => a.requestId === m.requestId), `the answer to ${m.requestId}`);
  };

  beforeAll(async () => {
    // One thread: the test uses the plugin's desk and the server's parts directly.
    t = await startTestServer({ config: { storageThread: false }, serverOptions: { plugins: [plugin] } });
    image = await addApprovedImage(t);
    const rows = [0, 1].map((i) => {
      const h = hubRecord(i);
      return { chfId: h.chfId, gpfId: h.gpfId, manufacturerCode: '121D', model: h.model, hardwareVersion: '1111', hanVariant: h.hanVariant, region: 'South', smiStatus: i === 1 ? 'Commissioned' : 'Whitelisted', firmwareVersion: '01260300' };
    });
    const imported = await t.api('POST', '/api/v1/devices/import?custody=at-csp', { body: rows, token: t.tokens.operator });
    expect(imported.body, JSON.stringify(imported.body)).toMatchObject({ created: 2 });
    const taken = await t.api('POST', '/api/v1/orders', {
      token: t.tokens.operator,
      body: { reference: 'UP-1', kind: 'supply-chain-uplift', party: { id: 'CSP-N' }, deliveryLocation: { id: 'DC-1' }, targets: [{ model: 'EDMI-CH2', firmwareVersion: image.version }], arrivals: [{ type: 'unit', chfId: chf(0) }, { type: 'unit', chfId: chf(1) }] },
    });
    expect(taken.status).toBe(201);
    rig = await t.connectRig('RIG-01');
    rig.on('message', (topic, payload) => {
      if (topic.endsWith('/cmd/job')) answers.push(decodeJob(payload));
      if (topic.endsWith('/cmd/ack')) acks.push(...decodeAck(payload).resultIds);
    });
    await rig.subscribeAsync(rigCommandFilter('RIG-01'), { qos: 1 });
  });
  afterAll(() => t.stop());

  it('answers a connected hub with its job, whose image the rig can download with its own credentials', async () => {
    const answer = await ask(request(0));
    expect(answer).toMatchObject({ outcome: 'job', chfId: chf(0), rigId: 'RIG-01', job: { orderId: 'ORD-000001', jobId: `ORD-000001:${chf(0)}`, alreadyCurrent: false, target: { version: image.version, hash: image.sha256, size: image.bytes.length } } });
    if (answer.outcome !== 'job') return;
    const auth = `Basic ${Buffer.from(`RIG-01:${t.secrets['RIG-01']}`).toString('base64')}`;
    const url = `http://127.0.0.1:${t.addresses.http}${answer.job.target.url}`;
    const whole = Buffer.from(await (await fetch(url, { headers: { authorization: auth } })).arrayBuffer());
    expect(createHash('sha256').update(whole).digest('hex')).toBe(answer.job.target.hash);
    const part = await fetch(url, { headers: { authorization: auth, range: 'bytes=100-' } });
    expect(part.status).toBe(206);
    expect((await plugin.desk!.lines('ORD-000001', { state: 'on-rig' })).map((l) => l.chfId)).toEqual([chf(0)]);
  });

  it('refuses an installed hub and a hub on no order, with the reason', async () => {
    const installed = await ask(request(1));
    expect(installed).toMatchObject({ outcome: 'refused', error: { code: 'HF0706', name: 'IneligibleInstalled' } });
    const stranger = await ask(request(5));
    expect(stranger).toMatchObject({ outcome: 'refused', error: { code: 'HF0717' } });
  });

  it('does not answer an invalid request, or one sent in another rig\'s name', async () => {
    const invalidBefore = t.server.context.stats.invalid;
    const bad = { ...request(0), hub: { ...request(0).hub, chfId: 'nonsense' } };
    await rig.publishAsync(rigTopic('RIG-01', 'job-request'), Buffer.from(JSON.stringify(bad)), { qos: 1 });
    const spoof = { ...request(0), rigId: 'RIG-02' };
    await rig.publishAsync(rigTopic('RIG-01', 'job-request'), encodeJobRequest(spoof), { qos: 1 });
    await waitFor(() => t.server.context.stats.invalid >= invalidBefore + 2, 'both counted invalid');
    expect(answers.find((a) => a.requestId === bad.requestId || a.requestId === spoof.requestId)).toBeUndefined();
  });

  it('moves the order on when the rig reports its result, and acknowledges it', async () => {
    const h = hubRecord(0);
    const resultId = randomUUID();
    const payload = encodeResult({
      v: 1, resultId, rigId: 'RIG-01',
      hub: { chfId: h.chfId, gpfId: h.gpfId!, manufacturerCode: 0x121d, model: 'EDMI-CH2', hardwareVersion: 0x1111, hanVariant: h.hanVariant! },
      from: { version: '01260300' }, to: { version: image.version, hash: image.sha256 }, outcome: 'verified', imageHash: image.sha256,
      bytesSent: image.bytes.length, bytesResent: 0, resumes: 0, phases: { transfer: 10 }, startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(),
      orderId: 'ORD-000001', jobId: `ORD-000001:${h.chfId}`,
    });
    await rig.publishAsync(rigTopic('RIG-01', 'results'), payload, { qos: 1 });
    await waitFor(() => acks.includes(resultId), 'the ack');
    // Sent again (a lost ack): acknowledged again, applied once.
    await rig.publishAsync(rigTopic('RIG-01', 'results'), payload, { qos: 1 });
    await waitFor(() => acks.filter((id) => id === resultId).length === 2, 'the second ack');
    const { progress } = await plugin.desk!.order('ORD-000001');
    expect(progress).toMatchObject({ verified: 1, ineligible: 1 });
    expect((await plugin.desk!.custody(chf(0))).lines.map((l) => l.to)).toEqual(['on-rig', 'at-csp']);
    expect(await plugin.desk!.smiChanges('2000-01-01')).toHaveLength(1);
  });
});
