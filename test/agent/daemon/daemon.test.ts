import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultOutbox, RigDaemon, type AgentConfig } from '../../../agent/daemon/index.ts';
import type { Rig } from '../../../agent/index.ts';
import { startTestServer, type TestServer } from '../../server/helpers/server.ts';
import { makeFirmware, makeHub, PTY_LINE, ptyHubs, type Firmware } from '../fixtures.ts';
import { encodeAck } from '../../../protocol/mqtt/index.ts';
import { capturedLogger, observe, onCleanup, sampleResult, tempDir, waitFor } from './helpers.ts';

// The rig daemon against the real server and broker, with simulated hubs on pseudo-terminals.
// The server has no orders plugin: it answers no job request, so a hub's handling stays at its
// first step (asking for the job) for as long as the test looks.

let fw: Firmware;
let t: TestServer;
beforeAll(async () => {
  fw = makeFirmware(8 * 1024);
  t = await startTestServer({ rigs: ['RIG-01', 'RIG-02', 'RIG-03'] });
});
afterAll(() => t.stop());

function configFor(rigId: string, ports: string[]): AgentConfig {
  return {
    rigId,
    secret: t.secrets[rigId]!,
    serverUrl: t.mqttUrl,
    httpUrl: `http://127.0.0.1:${t.addresses.http}`,
    ports,
    serialFilters: [],
    usbFilters: [],
    baudRate: PTY_LINE.baud,
    concurrency: 4,
    dataDir: tempDir(),
    trustedKeys: [],
    trustedKeyPems: [fw.key.publicKeyPem],
    heartbeatMs: 10_000,
    resendMs: 30_000,
    rescanMs: 2_000,
    logLevel: 'info',
  };
}

describe('the rig daemon', () => {
  it('handles a hub seen on two ports at once only once: one job request, not one a port', async () => {
    const watch = await observe(t);
    // The same hub (one CHF ID) answering on two ports, as through a cradle's USB and its serial adapter.
    const hubs = [makeHub(fw, 5), makeHub(fw, 5)];
    const chfId = hubs[0]!.identity.chfId;
    await Promise.all(hubs.map((h) => h.powerOn()));
    const lines = await ptyHubs(hubs);
    onCleanup(async () => {
      await lines.close();
      for (const h of hubs) h.close();
    });
    const daemon = await RigDaemon.start(configFor('RIG-01', lines.ptys.map((p) => p.path)), { logger: capturedLogger().logger });
    onCleanup(() => daemon.stop());
    const appeared: Array<{ port: string; chfId: string }> = [];
    // Told after the daemon, which listened first.
    const both = new Promise<void>((resolve) =>
      (daemon as unknown as { rig: Rig }).rig.on('hub-appeared', ({ port, hub }) => {
        appeared.push({ port: 'path' in port ? port.path : port.kind, chfId: hub.chfId });
        if (appeared.length === 2) resolve();
      }),
    );
    await both;
    expect(appeared.map((a) => a.chfId)).toEqual([chfId, chfId]);
    expect(new Set(appeared.map((a) => a.port)).size).toBe(2);
    await waitFor(() => watch.jobRequests.some((r) => r.hub.chfId === chfId), 'the job request');

    // The goodbye comes after anything the rig published before it.
    await daemon.stop();
    await waitFor(() => watch.statuses.some((s) => s.rigId === 'RIG-01' && s.state === 'offline'), 'the goodbye');
    const requests = watch.jobRequests.filter((r) => r.rigId === 'RIG-01');
    expect(requests.every((r) => r.hub.chfId === chfId)).toBe(true);
    expect(new Set(requests.map((r) => r.requestId)).size).toBe(1);
  });

  /**
   * A rig whose outbox still holds a verified result for the hub (the server was away when it
   * finished, and the rig restarted). The result is in another rig's name, so the server drops
   * it and never acknowledges it: the test sends the acknowledgement when it chooses.
   */
  async function rigWithUnacknowledgedResult(rigId: string, index: number, landedWaitMs: number) {
    const watch = await observe(t);
    const hub = makeHub(fw, index);
    await hub.powerOn();
    const lines = await ptyHubs([hub]);
    onCleanup(async () => {
      await lines.close();
      hub.close();
    });
    const config = { ...configFor(rigId, [lines.ptys[0]!.path]), resendMs: 300 };
    const outbox = await ResultOutbox.open(path.join(config.dataDir, 'outbox'));
    const waiting = sampleResult({ rigId: 'RIG-09', hub: { ...sampleResult().hub, chfId: hub.identity.chfId } });
    await outbox.add(waiting);
    await outbox.close();
    const log = capturedLogger();
    const daemon = await RigDaemon.start(config, { logger: log.logger, landedWaitMs });
    onCleanup(() => daemon.stop());
    const requested = () => watch.jobRequests.some((r) => r.rigId === rigId);
    return { watch, waiting, daemon, log, requested, chfId: hub.identity.chfId };
  }

  it("asks for a hub's job only once the server has acknowledged the hub's last result", async () => {
    const rig = await rigWithUnacknowledgedResult('RIG-02', 7, 60_000);
    // Sent, and re-sent after resendMs: time enough for a job request to have gone out too.
    await waitFor(() => rig.watch.results.filter((r) => r.resultId === rig.waiting.resultId).length >= 2, 'the result re-sent');
    expect(rig.log.lines.some((l) => l.chfId === rig.chfId && /waiting for the server to acknowledge/.test(l.msg))).toBe(true);
    expect(rig.requested()).toBe(false);
    await t.server.context.sendToRig('RIG-02', 'ack', encodeAck({ v: 1, resultIds: [rig.waiting.resultId], at: new Date().toISOString() }));
    await waitFor(rig.requested, 'the job request after the acknowledgement');
    expect(rig.daemon.pendingResults).toBe(0);
  });

  it('asks for the job all the same once landedWaitMs has passed without an acknowledgement', async () => {
    const rig = await rigWithUnacknowledgedResult('RIG-03', 8, 400);
    await waitFor(rig.requested, 'the job request after the wait');
    expect(rig.daemon.pendingResults).toBe(1);
    expect(rig.log.lines.some((l) => l.chfId === rig.chfId && /asking for its job all the same/.test(l.msg))).toBe(true);
  });
});
