import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeStatus, rigTopic } from '../../../protocol/mqtt/index.ts';
import { addRig } from '../../../server/admin.ts';
import { startTestServer, tryConnect, waitFor, type TestServer } from '../helpers/server.ts';

describe('MQTT authentication', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it('refuses anonymous connections', async () => {
    expect(await tryConnect(t.mqttUrl, { clientId: 'RIG-01' })).toBe('refused:5');
  });

  it('refuses a wrong secret, an unknown rig and another rig\'s secret', async () => {
    expect(await tryConnect(t.mqttUrl, { clientId: 'RIG-01', username: 'RIG-01', password: 'guess' })).toBe('refused:4');
    expect(await tryConnect(t.mqttUrl, { clientId: 'RIG-99', username: 'RIG-99', password: t.secrets['RIG-01'] })).toBe('refused:4');
    expect(await tryConnect(t.mqttUrl, { clientId: 'RIG-02', username: 'RIG-02', password: t.secrets['RIG-01'] })).toBe('refused:4');
  });

  it('accepts a rig with its own secret, only under its own client ID', async () => {
    expect(await tryConnect(t.mqttUrl, { clientId: 'RIG-01', username: 'RIG-01', password: t.secrets['RIG-01'] })).toBe('connected');
    expect(await tryConnect(t.mqttUrl, { clientId: 'someone', username: 'RIG-01', password: t.secrets['RIG-01'] })).toBe('refused:2');
  });

  it('refuses a will on any topic but the rig\'s own status', async () => {
    const will = { topic: rigTopic('RIG-02', 'status'), payload: Buffer.from('{}'), qos: 1 as const, retain: true };
    expect(await tryConnect(t.mqttUrl, { clientId: 'RIG-01', username: 'RIG-01', password: t.secrets['RIG-01'], will })).toBe('refused:5');
    const own = { ...will, topic: rigTopic('RIG-01', 'status'), payload: encodeStatus({ v: 1, rigId: 'RIG-01', state: 'offline', seq: 1, at: new Date().toISOString() }) };
    expect(await tryConnect(t.mqttUrl, { clientId: 'RIG-01', username: 'RIG-01', password: t.secrets['RIG-01'], will: own })).toBe('connected');
  });

  it('lets operators\' tools in with an API token and an op: client ID', async () => {
    expect(await tryConnect(t.mqttUrl, { clientId: 'op:dash', username: '$token', password: t.tokens.viewer })).toBe('connected');
    expect(await tryConnect(t.mqttUrl, { clientId: 'RIG-01', username: '$token', password: t.tokens.admin })).toBe('refused:2');
    expect(await tryConnect(t.mqttUrl, { clientId: 'op:dash', username: '$token', password: 'hft_nope_AAAAAAAAAAAAAAAAAAAAAAAA' })).toBe('refused:4');
  });

  it('checks the secret every time: a wrong one after the right one, and a real token ID with a wrong secret, are refused', async () => {
    expect(await tryConnect(t.mqttUrl, { clientId: 'RIG-01', username: 'RIG-01', password: t.secrets['RIG-01'] })).toBe('connected');
    expect(await tryConnect(t.mqttUrl, { clientId: 'RIG-01', username: 'RIG-01', password: `${t.secrets['RIG-01']}x` })).toBe('refused:4');
    expect(await tryConnect(t.mqttUrl, { clientId: 'op:dash', username: '$token', password: t.tokens.viewer })).toBe('connected');
    const [, id, secret] = /^hft_([a-z0-9]+)_(.+)$/.exec(t.tokens.viewer)!;
    const forged = `hft_${id}_${'A'.repeat(secret!.length)}`;
    expect(await tryConnect(t.mqttUrl, { clientId: 'op:dash', username: '$token', password: forged })).toBe('refused:4');
    const http = await t.api('GET', '/api/v1/devices', { token: forged });
    expect([http.status, http.body.error?.name]).toEqual([401, 'Unauthenticated']);
  });

  it("refuses an operator's tool that sets a will (only rigs have one)", async () => {
    const will = { topic: rigTopic('RIG-01', 'status'), payload: Buffer.from('{}'), qos: 1 as const, retain: true };
    expect(await tryConnect(t.mqttUrl, { clientId: 'op:dash', username: '$token', password: t.tokens.admin, will })).toBe('refused:5');
  });

  it('lets a rig added while the server runs connect at once', async () => {
    const secret = await addRig(t.dataDir, 'RIG-NEW', 'test');
    expect(await tryConnect(t.mqttUrl, { clientId: 'RIG-NEW', username: 'RIG-NEW', password: secret })).toBe('connected');
  });

  it('counts and logs refused connections', async () => {
    const { body } = await t.api('GET', '/api/v1/ingest');
    expect(body.refused.connect).toBeGreaterThanOrEqual(6);
    await waitFor(() => t.logs.some((l) => l.msg === 'MQTT connect refused' && l.who === '(anonymous)'), 'a log line naming the refused client');
  });
});
