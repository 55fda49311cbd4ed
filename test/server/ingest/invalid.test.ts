import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHeartbeat, encodeProgress, encodeStatus, rigCommandFilter, rigTopic } from '../../../protocol/mqtt/index.ts';
import { sampleResult } from '../../protocol/mqtt/fixtures.ts';
import { startTestServer, waitFor, type TestServer } from '../helpers/server.ts';

describe('invalid messages', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it('are counted, logged with their sender, never acknowledged, and change nothing', async () => {
    const rig = await t.connectRig('RIG-01');
    await rig.subscribeAsync(rigCommandFilter('RIG-01'), { qos: 1 });
    const acks: string[] = [];
    rig.on('message', (_t, p) => acks.push(p.toString()));
    const bad = sampleResult({ outcome: 'failed' }); // a failed result without its error
    const impostor = sampleResult({ rigId: 'RIG-02' }); // a body claiming another rig
    await rig.publishAsync(rigTopic('RIG-01', 'results'), Buffer.from(JSON.stringify(bad)), { qos: 1 });
    await rig.publishAsync(rigTopic('RIG-01', 'results'), Buffer.from(JSON.stringify(impostor)), { qos: 1 });
    await rig.publishAsync(rigTopic('RIG-01', 'results'), Buffer.from('not json'), { qos: 1 });
    await rig.publishAsync(rigTopic('RIG-01', 'heartbeat'), Buffer.from('{"v":1}'), { qos: 0 });

    const stats = await waitFor(async () => {
      const { body } = await t.api('GET', '/api/v1/ingest');
      return body.invalid === 4 ? body : undefined;
    }, 'four invalid messages counted');
    expect(stats.invalidByRig).toEqual({ 'RIG-01': 4 });
    expect(stats.results.stored).toBe(0);
    const logged = t.logs.filter((l) => l.rigId === 'RIG-01' && String(l.msg).startsWith('invalid '));
    expect(logged.map((l) => l.msg)).toEqual(['invalid results message from rig RIG-01', 'invalid results message from rig RIG-01', 'invalid results message from rig RIG-01', 'invalid heartbeat message from rig RIG-01']);
    expect(logged[0]!.reason).toContain('a failed result must carry its error');
    expect(logged[1]!.reason).toContain('says it is from rig RIG-02');
    for (const r of [bad, impostor]) expect((await t.api('GET', `/api/v1/results/${r.resultId}`)).status).toBe(404);
    expect((await t.api('GET', `/api/v1/devices/${bad.hub.chfId}`)).status).toBe(404);
    expect(acks).toEqual([]);
    // The rig stays connected: a bad message is the rig's bug, not an attack on the broker.
    expect(rig.connected).toBe(true);
  });

  it('does not let a status or progress for another rig change presence', async () => {
    const rig = await t.connectRig('RIG-02');
    const at = new Date().toISOString();
    const status = JSON.parse(encodeStatus({ v: 1, rigId: 'RIG-01', state: 'offline', seq: 99, at }).toString());
    await rig.publishAsync(rigTopic('RIG-02', 'status'), Buffer.from(JSON.stringify(status)), { qos: 1 });
    const progress = encodeProgress({ v: 1, rigId: 'RIG-02', chfId: '00DB000000000000', phase: 'transfer', bytesSent: 1, bytesTotal: 2, rateBytesPerSecond: 1, at });
    await rig.publishAsync(rigTopic('RIG-02', 'progress'), progress, { qos: 1 });
    const rig2 = await waitFor(async () => {
      const { body } = await t.api('GET', '/api/v1/rigs/RIG-02');
      return body.flashing.length === 1 ? body : undefined;
    }, 'the valid progress');
    expect(rig2.state).toBe('unknown');
    expect((await t.api('GET', '/api/v1/rigs/RIG-01')).body.seq).toBeUndefined();
  });

  it('refuses a heartbeat or progress whose body names another rig: counted, and nothing changes', async () => {
    const rig = await t.connectRig('RIG-02');
    const at = new Date().toISOString();
    const before = (await t.api('GET', '/api/v1/ingest')).body.invalidByRig['RIG-02'] ?? 0;
    const chfId = '00DB0000000000AA';
    await rig.publishAsync(rigTopic('RIG-02', 'heartbeat'), encodeHeartbeat({ v: 1, rigId: 'RIG-01', seq: 7, at, slots: { total: 8, busy: 8 } }), { qos: 1 });
    await rig.publishAsync(rigTopic('RIG-02', 'progress'), encodeProgress({ v: 1, rigId: 'RIG-01', chfId, phase: 'transfer', bytesSent: 1, bytesTotal: 2, rateBytesPerSecond: 1, at }), { qos: 1 });
    await waitFor(async () => ((await t.api('GET', '/api/v1/ingest')).body.invalidByRig['RIG-02'] === before + 2 ? true : undefined), 'two invalid messages from RIG-02');
    const logged = t.logs.filter((l) => l.rigId === 'RIG-02' && String(l.msg).startsWith('invalid '));
    expect(logged.slice(-2).map((l) => [l.msg, l.reason])).toEqual([
      ['invalid heartbeat message from rig RIG-02', expect.stringContaining('says it is from rig RIG-01')],
      ['invalid progress message from rig RIG-02', expect.stringContaining('says it is from rig RIG-01')],
    ]);
    for (const id of ['RIG-01', 'RIG-02']) {
      const { body } = await t.api('GET', `/api/v1/rigs/${id}`);
      expect(body.flashing.map((f: { chfId: string }) => f.chfId)).not.toContain(chfId);
      expect(body.slots).toBeUndefined();
    }
  });
});
