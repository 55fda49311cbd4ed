import { createServer as createNetServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BirthCounter } from '../../../agent/daemon/index.ts';
import { encodeAck, type ResultMessageInput } from '../../../protocol/mqtt/index.ts';
import { addRig } from '../../../server/admin.ts';
import { startTestServer, type TestServer } from '../../server/helpers/server.ts';
import { capturedLogger, freePort, linkClient, observe, onCleanup, openLink, sampleResult, tempDir, waitFor } from './helpers.ts';

const resultOf = (rigId: string, over: Partial<ResultMessageInput> = {}): ResultMessageInput => sampleResult({ rigId, ...over });

describe('ServerLink against the real broker', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ rigs: ['RIG-01', 'RIG-02', 'RIG-03', 'RIG-04', 'RIG-05'] });
  });
  afterAll(() => t.stop());

  const linkFor = (rigId: string, options: Partial<Parameters<typeof openLink>[1]> = {}, dataDir = tempDir()) =>
    openLink(dataDir, { url: t.mqttUrl, rigId, secret: t.secrets[rigId]!, logger: capturedLogger().logger, ...options });

  it('is born online with its persisted seq (retained), dies with the same seq when its connection breaks, and comes back with a higher one', async () => {
    const watch = await observe(t);
    const dataDir = tempDir();
    const earlier = new BirthCounter(dataDir);
    earlier.next();
    earlier.next();
    const { link } = await linkFor('RIG-01', { slots: () => ({ total: 8, busy: 0 }), agentVersion: 'test-1' }, dataDir);
    link.start();
    const born = await waitFor(() => watch.statuses.find((s) => s.rigId === 'RIG-01' && s.state === 'online'), 'the birth');
    expect(born).toMatchObject({ seq: 3, slots: 8, agentVersion: 'test-1' });
    // Retained: a tool that subscribes later is told at once.
    const late = await observe(t);
    expect(await waitFor(() => late.statuses.find((s) => s.rigId === 'RIG-01'), 'the retained status')).toMatchObject({ state: 'online', seq: 3, retained: true });
    expect((await t.api('GET', '/api/v1/rigs/RIG-01')).body).toMatchObject({ state: 'online', seq: 3 });

    const reconnected = new Promise<void>((resolve) => link.once('connected', () => resolve()));
    linkClient(link).stream.destroy(); // no DISCONNECT: the broker must publish the will
    const death = await waitFor(() => watch.statuses.find((s) => s.rigId === 'RIG-01' && s.state === 'offline'), 'the last will');
    expect(death.seq).toBe(3);
    await reconnected;
    const reborn = await waitFor(() => watch.statuses.find((s) => s.rigId === 'RIG-01' && s.state === 'online' && s.seq > 3), 'the second birth');
    expect(reborn.seq).toBe(4);
    await waitFor(async () => (await t.api('GET', '/api/v1/rigs/RIG-01')).body.seq === 4, 'the server to see the second birth');
    expect((await t.api('GET', '/api/v1/rigs/RIG-01')).body).toMatchObject({ state: 'online', connected: true });

    // A clean stop says goodbye with the current seq, which stays on disk for the next start.
    await link.stop();
    expect(await waitFor(() => watch.statuses.find((s) => s.rigId === 'RIG-01' && s.state === 'offline' && s.seq === 4), 'the goodbye')).toBeTruthy();
    expect(new BirthCounter(dataDir).current).toBe(4);
  });

  it('removes a result only when the server acknowledges it, and re-sends an unacknowledged one after resendMs', async () => {
    const watch = await observe(t);
    const { link, outbox } = await linkFor('RIG-02', { resendMs: 200 });
    const acknowledged: string[] = [];
    link.on('acknowledged', (_removed: number, ids: string[]) => acknowledged.push(...ids));
    link.start();
    await waitFor(() => link.connected, 'the connection');
    const pubacks: number[] = [];
    const published: Array<{ resultId: string; at: number }> = [];
    linkClient(link).on('packetreceive', (p) => void (p.cmd === 'puback' && pubacks.push(p.messageId ?? -1)));
    linkClient(link).on('packetsend', (p) => {
      if (p.cmd === 'publish' && p.topic.endsWith('/results')) published.push({ resultId: (JSON.parse(p.payload.toString()) as { resultId: string }).resultId, at: Date.now() });
    });

    const good = resultOf('RIG-02');
    // Valid on the wire, but in another rig's name: the server drops it and never acknowledges it.
    const orphan = resultOf('RIG-09');
    await link.sendResult(good);
    await link.sendResult(orphan);
    expect(outbox.size).toBe(2);
    await waitFor(() => acknowledged.includes(good.resultId), 'the ack of the good result');
    expect(outbox.has(good.resultId)).toBe(false);

    await waitFor(() => watch.results.filter((r) => r.resultId === orphan.resultId).length >= 3, 'two re-sends of the unacknowledged result to reach the broker');
    const sends = published.filter((p) => p.resultId === orphan.resultId);
    // Not sooner than resendMs after the previous send (a few ms for the send itself).
    for (let i = 1; i < sends.length; i++) expect(sends[i]!.at - sends[i - 1]!.at).toBeGreaterThanOrEqual(190);
    // The broker took it each time (PUBACK), which is not the server's acknowledgement.
    expect(pubacks.length).toBeGreaterThanOrEqual(4);
    expect(outbox.has(orphan.resultId)).toBe(true);
    expect(acknowledged).not.toContain(orphan.resultId);
    // The acknowledged result is never sent again, and the server has it once.
    expect(watch.results.filter((r) => r.resultId === good.resultId)).toHaveLength(1);
    expect((await t.api('GET', `/api/v1/results/${good.resultId}`)).status).toBe(200);
    expect((await t.api('GET', `/api/v1/results/${orphan.resultId}`)).status).toBe(404);
  });

  it('sends heartbeats carrying how many results wait in the outbox', async () => {
    const watch = await observe(t);
    const { link } = await linkFor('RIG-03', { heartbeatMs: 100, slots: () => ({ total: 4, busy: 1 }) });
    link.start();
    expect(await waitFor(() => watch.heartbeats.find((h) => h.rigId === 'RIG-03'), 'a heartbeat')).toMatchObject({ outboxPending: 0, slots: { total: 4, busy: 1 } });
    await link.sendResult(resultOf('RIG-09'));
    await link.sendResult(resultOf('RIG-09'));
    await waitFor(() => watch.heartbeats.find((h) => h.rigId === 'RIG-03' && h.outboxPending === 2), 'a heartbeat with two pending');
    const seqs = watch.heartbeats.filter((h) => h.rigId === 'RIG-03').map((h) => h.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('ignores an invalid ack or job from the server, logs it, and keeps working', async () => {
    const { logger, lines } = capturedLogger();
    const { link, outbox } = await linkFor('RIG-04', { logger });
    const acks: number[] = [];
    link.on('acknowledged', (removed: number) => acks.push(removed));
    link.start();
    await waitFor(() => link.connected, 'the connection');
    const pending = resultOf('RIG-09');
    await link.sendResult(pending);
    const send = (kind: 'ack' | 'job', payload: string | Buffer) => t.server.context.sendToRig('RIG-04', kind, Buffer.from(payload));
    await send('ack', 'not json');
    await send('ack', JSON.stringify({ v: 1, resultIds: ['not-a-uuid'], at: new Date().toISOString() }));
    await send('job', '{}');
    // A valid ack naming an unknown ID removes nothing.
    await send('ack', encodeAck({ v: 1, resultIds: [sampleResult().resultId], at: new Date().toISOString() }));
    await waitFor(() => acks.length === 1, 'the valid ack');
    expect(acks).toEqual([0]);
    expect(lines.filter((l) => l.msg === 'ignored an invalid message from the server')).toHaveLength(3);
    expect(link.connected).toBe(true);
    expect(outbox.has(pending.resultId)).toBe(true);
    // And a real ack still works afterwards.
    const good = resultOf('RIG-04');
    await link.sendResult(good);
    await waitFor(() => !outbox.has(good.resultId), 'the good result to leave the outbox');
  });

  it('a result the wire schema refuses, stuck in the outbox, neither crashes the link nor holds up the others', async () => {
    const { logger, lines } = capturedLogger();
    const { link, outbox } = await linkFor('RIG-05', { logger, resendMs: 200 });
    // e.g. written by an older agent, or with the clock stepped back mid-flash.
    const bad = resultOf('RIG-05', { startedAt: '2026-01-01T10:00:01.000Z', finishedAt: '2026-01-01T10:00:00.000Z' });
    const good = resultOf('RIG-05');
    await outbox.add(bad);
    await outbox.add(good);
    link.start();
    await waitFor(() => !outbox.has(good.resultId), 'the good result to be acknowledged');
    expect(outbox.has(bad.resultId)).toBe(true);
    expect(lines.some((l) => l.level >= 50 && JSON.stringify(l).includes(bad.resultId))).toBe(true);
    expect(link.connected).toBe(true);
  });
});

describe('ServerLink while the server is away', () => {
  it('publishes results stored while the server was unreachable once it is up, and again across a server restart; each is stored once', async () => {
    const dataDir = tempDir();
    const secret = await addRig(dataDir, 'RIG-01', 'test');
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    const start = () => startTestServer({ rigs: [], dataDir, config: { mqtt: { port: mqttPort, host: '127.0.0.1' }, http: { port: httpPort, host: '127.0.0.1' } } });
    const { link, outbox } = await openLink(tempDir(), { url: `mqtt://127.0.0.1:${mqttPort}`, rigId: 'RIG-01', secret, logger: capturedLogger().logger, resendMs: 60_000 });
    link.start();
    const acknowledged = new Set<string>();
    let removed = 0;
    link.on('acknowledged', (n: number, ids: string[]) => {
      removed += n;
      for (const id of ids) acknowledged.add(id);
    });
    const before = Array.from({ length: 5 }, () => resultOf('RIG-01'));
    for (const r of before) await link.sendResult(r);
    expect(link.connected).toBe(false);
    expect(outbox.size).toBe(5);

    let t = await start();
    onCleanup(() => t.stop());
    await waitFor(() => outbox.size === 0, 'the outbox to empty', 10_000);
    expect([...acknowledged].toSorted()).toEqual(before.map((r) => r.resultId).toSorted());
    expect(removed).toBe(5);

    await t.stop();
    await waitFor(() => !link.connected, 'the link to notice');
    const during = Array.from({ length: 3 }, () => resultOf('RIG-01'));
    for (const r of during) await link.sendResult(r);
    t = await start();
    await waitFor(() => outbox.size === 0, 'the outbox to empty after the restart', 10_000);

    const stored = (await t.api('GET', '/api/v1/results?limit=1000')).body.items as Array<{ rigId: string; result: { resultId: string } }>;
    expect(stored.every((r) => r.rigId === 'RIG-01')).toBe(true);
    const ids = stored.map((r) => r.result.resultId);
    expect(ids.toSorted()).toEqual([...before, ...during].map((r) => r.resultId).toSorted());
    // The second server life received the three new results and nothing the first had acknowledged.
    expect((await t.api('GET', '/api/v1/ingest')).body.results).toMatchObject({ stored: 3, duplicates: 0 });
  });

  it('tries again with exponential backoff up to its ceiling', async () => {
    const attempts: number[] = [];
    // Takes every connection and drops it before any CONNACK.
    const refuser = createNetServer((socket) => {
      attempts.push(Date.now());
      socket.destroy();
    });
    await new Promise<void>((resolve) => refuser.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise((resolve) => refuser.close(resolve)));
    const port = (refuser.address() as { port: number }).port;
    const { link } = await openLink(tempDir(), { url: `mqtt://127.0.0.1:${port}`, rigId: 'RIG-01', secret: 'x', logger: capturedLogger().logger, reconnectMinMs: 20, reconnectMaxMs: 160 });
    link.start();
    await waitFor(() => attempts.length >= 7, 'seven attempts', 5000);
    const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
    // 20, 40, 80, 160, then held at 160: uncapped, the sixth wait would be 640.
    expect(gaps[0]).toBeGreaterThanOrEqual(15);
    expect(gaps[1]).toBeGreaterThanOrEqual(35);
    expect(gaps[2]).toBeGreaterThanOrEqual(75);
    expect(gaps[3]).toBeGreaterThanOrEqual(150);
    expect(gaps[4]).toBeGreaterThanOrEqual(150);
    expect(gaps[5]).toBeLessThan(480);
  });
});
