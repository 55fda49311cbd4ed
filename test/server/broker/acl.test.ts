import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAck, encodeResult, rigCommandTopic, rigTopic } from '../../../protocol/mqtt/index.ts';
import { canPublish, canSubscribe, parseTopic } from '../../../server/broker/acl.ts';
import { parseRigTopic } from '../../../protocol/mqtt/index.ts';
import { sampleResult } from '../../protocol/mqtt/fixtures.ts';
import { startTestServer, waitFor, type TestServer } from '../helpers/server.ts';

const rig = { kind: 'rig' as const, rigId: 'RIG-01' };
const operator = { kind: 'operator' as const, tokenId: 'x', name: 'vic', role: 'viewer' as const };

describe('MQTT access rules', () => {
  it('lets a rig publish only its own rig → server topics, retaining only status', () => {
    expect(canPublish(rig, rigTopic('RIG-01', 'results'), false).ok).toBe(true);
    expect(canPublish(rig, rigTopic('RIG-01', 'status'), true).ok).toBe(true);
    expect(canPublish(rig, rigTopic('RIG-01', 'results'), true).ok).toBe(false);
    expect(canPublish(rig, rigTopic('RIG-02', 'results'), false).ok).toBe(false);
    expect(canPublish(rig, rigCommandTopic('RIG-01', 'ack'), false).ok).toBe(false);
    expect(canPublish(rig, '$SYS/x', false).ok).toBe(false);
    expect(canPublish(rig, 'hubflash/v1/rigs/RIG-01/results/extra', false).ok).toBe(false);
    expect(canPublish(operator, rigTopic('RIG-01', 'status'), false).ok).toBe(false);
  });

  it('remembers parsed topics without changing any verdict, however many topics are sent', () => {
    const topics = [rigTopic('RIG-01', 'results'), 'hubflash/v1/rigs/RIG-01/results/extra', '$SYS/x', rigCommandTopic('RIG-01', 'ack'), 'hubflash/v1/rigs/-bad/results'];
    for (let round = 0; round < 3; round++) for (const t of topics) expect(parseTopic(t)).toEqual(parseRigTopic(t));
    for (let i = 0; i < 12_000; i++) expect(parseTopic(rigTopic(`RIG-${i}`, 'heartbeat'))).toEqual({ direction: 'rig', rigId: `RIG-${i}`, kind: 'heartbeat' });
    expect(canPublish(rig, rigTopic('RIG-01', 'results'), false).ok).toBe(true);
    expect(canPublish(rig, rigTopic('RIG-02', 'results'), false).ok).toBe(false);
  });

  it('lets a rig subscribe only to its own commands, and operators read-only across rigs', () => {
    for (const f of ['hubflash/v1/rigs/RIG-01/cmd/+', 'hubflash/v1/rigs/RIG-01/cmd/#', 'hubflash/v1/rigs/RIG-01/cmd/ack']) expect(canSubscribe(rig, f).ok).toBe(true);
    for (const f of ['#', '$SYS/#', 'hubflash/v1/rigs/+/cmd/ack', 'hubflash/v1/rigs/#', 'hubflash/v1/rigs/RIG-02/cmd/+', 'hubflash/v1/rigs/RIG-01/results', 'hubflash/v1/rigs/RIG-01/cmd/bogus']) {
      expect(canSubscribe(rig, f).ok).toBe(false);
    }
    expect(canSubscribe(operator, 'hubflash/v1/rigs/+/status').ok).toBe(true);
    expect(canSubscribe(operator, 'hubflash/v1/rigs/RIG-01/+').ok).toBe(true);
    for (const f of ['hubflash/v1/rigs/#', 'hubflash/v1/rigs/+/cmd/ack', '#', '$SYS/#']) expect(canSubscribe(operator, f).ok).toBe(false);
  });
});

describe('MQTT access rules, through the real broker', () => {
  let t: TestServer;
  let watcher: MqttClient;
  const seen: string[] = [];
  beforeAll(async () => {
    t = await startTestServer();
    watcher = await mqtt.connectAsync(t.mqttUrl, { clientId: 'op:watch', username: '$token', password: t.tokens.viewer, reconnectPeriod: 0 });
    await watcher.subscribeAsync('hubflash/v1/rigs/+/results', { qos: 1 });
    watcher.on('message', (topic) => seen.push(topic));
  });
  afterAll(async () => {
    await watcher.endAsync(true);
    await t.stop();
  });

  async function refusedPublish(topic: string, payload: Buffer, retain = false): Promise<void> {
    const client = await t.connectRig('RIG-01');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(topic, payload, { qos: 1, retain });
    await closed; // the broker closes a connection that publishes where it may not
  }

  it('drops a publish as another rig, closes the connection, and nothing changes', async () => {
    const spoof = sampleResult({ rigId: 'RIG-02' });
    const rig2 = await t.connectRig('RIG-02');
    await rig2.subscribeAsync(rigCommandTopic('RIG-02', 'ack'), { qos: 1 });
    const acks: string[] = [];
    rig2.on('message', (_topic, payload) => acks.push(payload.toString()));

    await refusedPublish(rigTopic('RIG-02', 'results'), encodeResult(spoof));

    expect((await t.api('GET', `/api/v1/results/${spoof.resultId}`)).status).toBe(404);
    expect((await t.api('GET', `/api/v1/devices/${spoof.hub.chfId}`)).status).toBe(404);
    // A legitimate result afterwards goes through and is the only one anyone saw.
    const own = sampleResult({ rigId: 'RIG-02' });
    rig2.publish(rigTopic('RIG-02', 'results'), encodeResult(own), { qos: 1 });
    await waitFor(() => acks.length > 0, 'the ack of the legitimate result');
    expect(acks.join()).not.toContain(spoof.resultId);
    expect(seen).toEqual([rigTopic('RIG-02', 'results')]);
    const { body } = await t.api('GET', '/api/v1/ingest');
    expect(body.refused.publish).toBeGreaterThanOrEqual(1);
    expect(body.results.stored).toBe(1);
  });

  it('refuses a rig publishing its own acknowledgements, retained results, or $SYS', async () => {
    const before = (await t.api('GET', '/api/v1/ingest')).body.refused.publish as number;
    await refusedPublish(rigCommandTopic('RIG-01', 'ack'), encodeAck({ v: 1, resultIds: [sampleResult().resultId], at: new Date().toISOString() }));
    await refusedPublish(rigTopic('RIG-01', 'results'), encodeResult(sampleResult()), true);
    await refusedPublish('$SYS/broker/fake', Buffer.from('x'));
    expect((await t.api('GET', '/api/v1/ingest')).body.refused.publish).toBe(before + 3);
    expect((await t.api('GET', '/api/v1/ingest')).body.results.stored).toBe(1);
  });

  it('refuses cross-rig and $SYS subscriptions with SUBACK 128, grants the rig its own commands', async () => {
    const client = await t.connectRig('RIG-01');
    const filters = ['hubflash/v1/rigs/RIG-01/cmd/+', '#', '$SYS/#', 'hubflash/v1/rigs/+/cmd/ack', 'hubflash/v1/rigs/RIG-02/cmd/+', 'hubflash/v1/rigs/RIG-02/results'];
    // mqtt.js reports a SUBACK with a refused filter as an error carrying the packet.
    const suback = await client.subscribeAsync(filters, { qos: 1 }).then(
      () => expect.unreachable('every filter was granted'),
      (err: { packet?: { granted?: number[] } }) => err.packet?.granted,
    );
    expect(suback).toEqual([1, 128, 128, 128, 128, 128]);
    expect(client.connected).toBe(true);
  });

  it('keeps operators\' tools read-only', async () => {
    const closed = new Promise<void>((resolve) => watcher.once('close', () => resolve()));
    watcher.publish(rigTopic('RIG-01', 'status'), Buffer.from('{}'), { qos: 1 });
    await closed;
  });
});
