import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHeartbeat, encodeProgress, encodeResult, encodeStatus, rigTopic } from '../../../protocol/mqtt/index.ts';
import { rigPresence } from '../../../server/api/schemas.ts';
import { sampleResult } from '../../protocol/mqtt/fixtures.ts';
import { startTestServer, waitFor, type TestServer } from '../helpers/server.ts';
import { hubId } from '../helpers/snapshot.ts';

const now = (): string => new Date().toISOString();
const status = (state: 'online' | 'offline', seq: number) => encodeStatus({ v: 1, rigId: 'RIG-01', state, seq, at: now(), agentVersion: '0.1.0' });

describe('rig presence', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ rigs: ['RIG-01', 'RIG-02', 'RIG-03'] });
  });
  afterAll(() => t.stop());

  const presence = async (rigId: string) => rigPresence.parse((await t.api('GET', `/api/v1/rigs/${rigId}`, { token: t.tokens.viewer })).body);

  it('lists every registered rig, never-heard-from ones as unknown', async () => {
    const { body } = await t.api('GET', '/api/v1/rigs', { token: t.tokens.viewer });
    expect(body.items.map((r: { rigId: string; state: string }) => [r.rigId, r.state])).toEqual([
      ['RIG-01', 'unknown'],
      ['RIG-02', 'unknown'],
      ['RIG-03', 'unknown'],
    ]);
    expect((await t.api('GET', '/api/v1/rigs/RIG-99')).status).toBe(404);
  });

  it('goes online with the birth, offline with the last will when the rig dies, and ignores a late will', async () => {
    const will = { topic: rigTopic('RIG-01', 'status'), payload: status('offline', 1), qos: 1 as const, retain: true };
    const rig = await t.connectRig('RIG-01', { will, keepalive: 5 });
    await rig.publishAsync(rigTopic('RIG-01', 'status'), status('online', 1), { qos: 1, retain: true });
    await waitFor(async () => (await presence('RIG-01')).state === 'online', 'online');
    expect(await presence('RIG-01')).toMatchObject({ connected: true, seq: 1, agentVersion: '0.1.0', stale: false });

    rig.stream.destroy(); // the rig crashes: no DISCONNECT, so the broker publishes its will
    await waitFor(async () => (await presence('RIG-01')).state === 'offline', 'offline from the will');
    expect((await presence('RIG-01')).connected).toBe(false);

    // It comes back (seq 2); then an old session's will (seq 1) arrives late and is ignored.
    const back = await t.connectRig('RIG-01');
    await back.publishAsync(rigTopic('RIG-01', 'status'), status('online', 2), { qos: 1, retain: true });
    await waitFor(async () => (await presence('RIG-01')).seq === 2, 'the new birth');
    await back.publishAsync(rigTopic('RIG-01', 'status'), status('offline', 1), { qos: 1, retain: true });
    await back.publishAsync(rigTopic('RIG-01', 'heartbeat'), encodeHeartbeat({ v: 1, rigId: 'RIG-01', seq: 2, at: now(), slots: { total: 4, busy: 1 }, outboxPending: 3 }));
    await waitFor(async () => (await presence('RIG-01')).slots?.busy === 1, 'the heartbeat');
    expect(await presence('RIG-01')).toMatchObject({ state: 'online', seq: 2, outboxPending: 3 });
  });

  it('shows what a rig is flashing now, records the attempt, and clears it with the result', async () => {
    const rig = await t.connectRig('RIG-02');
    const chfId = hubId(42);
    const progress = (bytesSent: number) =>
      encodeProgress({ v: 1, rigId: 'RIG-02', chfId, slot: 'usb-1', phase: 'transfer', bytesSent, bytesTotal: 1000, rateBytesPerSecond: 500, at: now(), targetVersion: '02010000' });
    await rig.publishAsync(rigTopic('RIG-02', 'progress'), progress(100));
    await rig.publishAsync(rigTopic('RIG-02', 'progress'), progress(600));
    const p = await waitFor(async () => {
      const r = await presence('RIG-02');
      return r.flashing[0]?.bytesSent === 600 ? r : undefined;
    }, 'progress');
    expect(p.flashing).toEqual([expect.objectContaining({ chfId, slot: 'usb-1', phase: 'transfer', bytesTotal: 1000, targetVersion: '02010000' })]);
    const history = await waitFor(async () => {
      const { body } = await t.api('GET', `/api/v1/devices/${chfId}/history`);
      return body.items?.length ? body.items : undefined;
    }, 'the flash attempt in history');
    expect(history).toEqual([expect.objectContaining({ type: 'flash-attempt', by: 'rig:RIG-02', details: { slot: 'usb-1', targetVersion: '02010000' } })]);

    const result = sampleResult({ rigId: 'RIG-02', outcome: 'failed', error: { code: 'HF0304', name: 'DeviceFlashFailure', message: 'x' }, hub: { ...sampleResult().hub, chfId } });
    await rig.publishAsync(rigTopic('RIG-02', 'results'), encodeResult(result), { qos: 1 });
    await waitFor(async () => (await presence('RIG-02')).flashing.length === 0, 'the entry cleared by the result');
  });
});
