import { connect, createServer as createNetServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobClient } from '../../../agent/daemon/index.ts';
import { encodeJob } from '../../../protocol/mqtt/index.ts';
import { startTestServer, type TestServer } from '../../server/helpers/server.ts';
import { capturedLogger, linkClient, onCleanup, openLink, requestHub, sampleResult, tempDir, waitFor } from './helpers.ts';

// The rig's MQTT timers against the real server and broker: reconnect backoff, result re-sends,
// job request re-sends. The server here has no orders plugin, so it answers no job request by
// itself: the test answers when it chooses.

const hub = requestHub(0);

interface Sent {
  at: number;
  body: { resultId?: string; requestId?: string; hub?: { chfId: string } };
}

/** Each message the link puts on the wire to its `kind` topic: when (performance.now()) and what. */
function sentTo(link: Parameters<typeof linkClient>[0], kind: 'results' | 'job-request'): Sent[] {
  const sent: Sent[] = [];
  linkClient(link).on('packetsend', (p) => {
    if (p.cmd === 'publish' && p.topic.endsWith(`/${kind}`)) sent.push({ at: performance.now(), body: JSON.parse(p.payload.toString()) as Sent['body'] });
  });
  return sent;
}

const gaps = (sends: Sent[]): number[] => sends.slice(1).map((s, i) => s.at - sends[i]!.at);

describe('the rig agent’s MQTT timers', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ rigs: ['RIG-01', 'RIG-02', 'RIG-03'] });
  });
  afterAll(() => t.stop());

  const linkFor = (rigId: string, options: Partial<Parameters<typeof openLink>[1]> = {}) =>
    openLink(tempDir(), { url: t.mqttUrl, rigId, secret: t.secrets[rigId]!, logger: capturedLogger().logger, ...options });

  it('starts its reconnect backoff again from the minimum once a connection has succeeded', async () => {
    // In front of the broker: drops the first six connections before any CONNACK, then relays.
    const attempts: number[] = [];
    const sockets = new Set<Socket>();
    let refuse = 6;
    const proxy = createNetServer((socket) => {
      attempts.push(performance.now());
      if (refuse-- > 0) return void socket.destroy();
      const upstream = connect(t.addresses.mqtt, '127.0.0.1');
      for (const [a, b] of [[socket, upstream], [upstream, socket]] as const) {
        sockets.add(a);
        a.on('error', () => b.destroy()).on('close', () => b.destroy());
      }
      socket.pipe(upstream).pipe(socket);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    onCleanup(() => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => proxy.close(resolve));
    });
    const port = (proxy.address() as { port: number }).port;
    const { link } = await linkFor('RIG-01', { url: `mqtt://127.0.0.1:${port}`, reconnectMinMs: 20, reconnectMaxMs: 5000 });
    const connected = () => new Promise<void>((resolve) => link.once('connected', () => resolve()));
    let up = connected();
    link.start();
    // Waits of 20, 40, 80, 160, 320 and 640 ms: the backoff stood at 1280 ms when the seventh attempt
    // got through.
    await up;
    expect(attempts).toHaveLength(7);
    up = connected();
    const dropped = performance.now();
    linkClient(link).stream.destroy();
    await up;
    // From the minimum again (20 ms); without the reset, 1280 ms (a timer never fires early, so the
    // bound can sit close to that and leave a loaded machine over a second).
    expect(attempts).toHaveLength(8);
    expect(attempts[7]! - dropped).toBeLessThan(1200);
  });

  it('re-sends an unacknowledged result once resendMs has passed, not at every check in between', async () => {
    // resendMs 600: the outbox is looked at every 300 ms.
    const { link, outbox } = await linkFor('RIG-02', { resendMs: 600 });
    link.start();
    await waitFor(() => link.connected, 'the connection');
    const sends = sentTo(link, 'results');
    // In another rig's name: the server drops it and never acknowledges it.
    const orphan = sampleResult({ rigId: 'RIG-09' });
    await link.sendResult(orphan);
    await waitFor(() => sends.length >= 2, 'the re-send', 3000);
    expect(sends.map((s) => s.body.resultId)).toEqual([orphan.resultId, orphan.resultId]);
    expect(gaps(sends)[0]).toBeGreaterThanOrEqual(590);
    expect(outbox.has(orphan.resultId)).toBe(true);
  });

  it('asks for a job again every retryMs while unanswered, and stops once answered', async () => {
    const { link } = await linkFor('RIG-03');
    link.start();
    await waitFor(() => link.connected, 'the connection');
    const sends = sentTo(link, 'job-request');
    const jobs = new JobClient(link, 150);
    const answered = jobs.request(hub);
    await waitFor(() => sends.length >= 3, 'two re-sends', 3000);
    const requestId = sends[0]!.body.requestId!;
    expect(sends.every((s) => s.body.requestId === requestId)).toBe(true);
    for (const gap of gaps(sends)) expect(gap).toBeGreaterThanOrEqual(145);

    const refusal = { code: 'HF0717', name: 'NoLiveOrder', message: 'on no live order' };
    await t.server.context.sendToRig('RIG-03', 'job', encodeJob({ v: 1, requestId, rigId: 'RIG-03', chfId: hub.chfId, at: new Date().toISOString(), outcome: 'refused', error: refusal }));
    expect(await answered).toMatchObject({ outcome: 'refused', requestId, error: refusal });
    const asked = sends.length;
    // A second hub's request, re-sent once: a full retryMs has passed since the answer, in which
    // a retry of the first (its timer set before the answer) would have gone out before this one.
    const stop = new AbortController();
    onCleanup(async () => stop.abort());
    void jobs.request(requestHub(1), stop.signal).catch(() => undefined);
    await waitFor(() => sends.filter((s) => s.body.hub?.chfId === requestHub(1).chfId).length >= 2, 'the second hub’s re-send', 3000);
    expect(sends.filter((s) => s.body.requestId === requestId)).toHaveLength(asked);
  });
});
