import path from 'node:path';
import mqtt from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import { decodeAck, decodeResult, encodeResult, rigCommandFilter, rigTopic, type ResultMessage, type ResultMessageInput } from '../../../protocol/mqtt/index.ts';
import { LevelStore, type Store } from '../../../server/index.ts';
import { addRig, createToken } from '../../../server/admin.ts';
import { sampleResult } from '../../protocol/mqtt/fixtures.ts';
import { killHard, startChildServer, type ChildServer } from '../helpers/childServer.ts';
import { startTestServer, waitFor } from '../helpers/server.ts';
import { hubId } from '../helpers/snapshot.ts';
import { tempDir } from '../helpers/tempDir.ts';

let running: ChildServer | undefined;
afterEach(async () => {
  if (running) await killHard(running);
  running = undefined;
});

async function api(server: ChildServer, token: string, url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${server.addresses.http}${url}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

it('keeps every acknowledged result, exactly once, across a SIGKILL; re-sent results are never doubled', async () => {
  const dataDir = tempDir();
  const secret = await addRig(dataDir, 'RIG-01', 'test');
  const { token } = await createToken(dataDir, 'ada', 'admin', 'test');
  const config = { dataDir, mqtt: { port: 0, host: '127.0.0.1' }, http: { port: 0, host: '127.0.0.1' }, log: { level: 'warn' as const } };
  const results: ResultMessageInput[] = Array.from({ length: 400 }, (_, i) =>
    sampleResult({ outcome: 'failed', error: { code: 'HF0304', name: 'DeviceFlashFailure', message: 'x' }, hub: { ...sampleResult().hub, chfId: hubId(i) } }),
  );

  // First life: send everything, kill the server the moment some acks have arrived.
  running = await startChildServer(config);
  const first = running;
  const ackedBeforeKill = new Set<string>();
  const rig = await mqtt.connectAsync(`mqtt://127.0.0.1:${first.addresses.mqtt}`, { clientId: 'RIG-01', username: 'RIG-01', password: secret, reconnectPeriod: 0 });
  await rig.subscribeAsync(rigCommandFilter('RIG-01'), { qos: 1 });
  const killed = new Promise<void>((resolve) => {
    rig.on('message', (_topic, payload) => {
      for (const id of decodeAck(payload).resultIds) ackedBeforeKill.add(id);
      if (ackedBeforeKill.size >= 50 && first.child.exitCode === null) {
        first.child.kill('SIGKILL'); // right after these acks, before anything else can happen
        resolve();
      }
    });
  });
  for (const r of results) rig.publish(rigTopic('RIG-01', 'results'), encodeResult(r), { qos: 1 });
  await killed;
  await new Promise<void>((resolve) => (first.child.exitCode !== null || first.child.signalCode !== null ? resolve() : first.child.once('exit', () => resolve())));
  rig.end(true);
  const acked = [...ackedBeforeKill];
  expect(acked.length).toBeGreaterThanOrEqual(50);

  // Second life: every acknowledged result is there and applied, before any rig re-sends.
  running = await startChildServer(config);
  const second = running;
  for (const id of acked) {
    const stored = await api(second, token, `/api/v1/results/${id}`);
    expect(stored.status).toBe(200);
    expect(stored.body.applied).toBe(true);
  }

  // The rig's outbox re-sends everything (acknowledged or not); each result ends up exactly once.
  const rig2 = await mqtt.connectAsync(`mqtt://127.0.0.1:${second.addresses.mqtt}`, { clientId: 'RIG-01', username: 'RIG-01', password: secret, reconnectPeriod: 0 });
  await rig2.subscribeAsync(rigCommandFilter('RIG-01'), { qos: 1 });
  const ackedAfter = new Set<string>();
  rig2.on('message', (_topic, payload) => decodeAck(payload).resultIds.forEach((id) => ackedAfter.add(id)));
  for (const r of results) rig2.publish(rigTopic('RIG-01', 'results'), encodeResult(r), { qos: 1 });
  await waitFor(() => ackedAfter.size === results.length, 'acks for every re-sent result', 15_000);
  await rig2.endAsync();

  let listed = 0;
  for (let cursor: string | undefined, page; (page = await api(second, token, `/api/v1/results?limit=1000${cursor ? `&cursor=${cursor}` : ''}`)); ) {
    listed += page.body.items.length;
    cursor = page.body.nextCursor;
    if (!cursor) break;
  }
  expect(listed).toBe(results.length);
  for (let i = 0; i < results.length; i++) {
    const history = await api(second, token, `/api/v1/devices/${hubId(i)}/history`);
    expect(history.body.items.filter((e: { type: string }) => e.type === 'result')).toHaveLength(1);
  }
}, 40_000);

it('re-applies a result that was stored but not yet applied when the server died', async () => {
  const dataDir = tempDir();
  const result = decodeResultInput(sampleResult({ outcome: 'failed', error: { code: 'HF0304', name: 'DeviceFlashFailure', message: 'x' } }));
  // The state a crash between step 1 (stored, synced) and step 2 (applied) leaves behind.
  const store = await LevelStore.open(path.join(dataDir, 'db'));
  await store.batch([
    { type: 'put', key: `r\x00${result.resultId}`, value: JSON.stringify({ rigId: 'RIG-01', receivedAt: new Date().toISOString(), result }) },
    { type: 'put', key: `p\x00${result.resultId}`, value: '' },
  ], { sync: true });
  await store.close();

  const t = await startTestServer({ dataDir });
  try {
    expect((await t.api('GET', `/api/v1/results/${result.resultId}`)).body.applied).toBe(true);
    const history = await t.api('GET', `/api/v1/devices/${result.hub.chfId}/history`);
    expect(history.body.items.map((e: { type: string }) => e.type)).toEqual(['result']);
    expect(t.logs.some((l) => l.msg === 're-applied results stored before a crash' && l.recovered === 1)).toBe(true);
  } finally {
    await t.stop();
  }
});

it('stores a result in the batch that applies it, synced to disk, with no pending marker', async () => {
  const writes: Array<{ keys: string[]; sync: boolean }> = [];
  const dataDir = tempDir();
  const level = await LevelStore.open(path.join(dataDir, 'db'));
  const recording: Store = {
    get: (k) => level.get(k),
    getMany: (k) => level.getMany(k),
    iterator: (r) => level.iterator(r),
    close: () => level.close(),
    batch: (ops, options) => {
      writes.push({ keys: ops.map((o) => `${o.type} ${o.key}`), sync: options?.sync === true });
      return level.batch(ops, options);
    },
  };
  const t = await startTestServer({ dataDir, serverOptions: { store: recording } });
  try {
    const rig = await t.connectRig('RIG-01');
    await rig.subscribeAsync(rigCommandFilter('RIG-01'), { qos: 1 });
    const acked = new Promise<void>((resolve) => rig.once('message', () => resolve()));
    const r = sampleResult({ outcome: 'ineligible' });
    rig.publish(rigTopic('RIG-01', 'results'), encodeResult(r), { qos: 1 });
    await acked;
    const storedAt = writes.findIndex((w) => w.keys.includes(`put r\x00${r.resultId}`));
    expect(storedAt).toBeGreaterThanOrEqual(0);
    expect(writes[storedAt]!.sync).toBe(true);
    expect(writes[storedAt]!.keys).toContain(`put h\x00${decodeResult(encodeResult(r)).hub.chfId}`);
    expect(writes.flatMap((w) => w.keys).some((k) => k.startsWith('put p\x00'))).toBe(false);
  } finally {
    await t.stop();
  }
});

function decodeResultInput(r: ResultMessageInput): ResultMessage {
  return decodeResult(encodeResult(r));
}
