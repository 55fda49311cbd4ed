import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { confirmations, expectEveryResultOnce, expectOrderDone, firstCommit, transfersUnderWay } from './checks.ts';
import { SystemUnderTest, waitFor } from './harness.ts';

const BAUD = 921_600;
const PAYLOAD = 96 * 1024;

describe('one system: rigs and server over MQTT', () => {
  let sut: SystemUnderTest | undefined;
  afterEach(async () => {
    await sut?.tearDown();
    sut = undefined;
  });

  it('runs the demo scenario end to end (hubflash demo)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hubflash-demo-'));
    try {
      const run = spawnSync(
        process.execPath,
        [path.resolve(import.meta.dirname, '../../bin/hubflash.js'), 'demo', '--instant', '--json', '--data-dir', path.join(dir, 'data'), '--mqtt-port', '0', '--http-port', '0'],
        { encoding: 'utf8', timeout: 120_000 },
      );
      expect(run.status, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
        outcomes: Array<{ chfId: string; outcome: string; resumes: number; error?: { code: string } }>;
        reconciliation: Array<{ kind: string; chfId: string }>;
        asnId: string;
        chargesPence: number;
      };
      const by = (outcome: string): number => summary.outcomes.filter((o) => o.outcome === outcome).length;
      expect(summary.outcomes).toHaveLength(24);
      expect(by('verified')).toBe(19);
      expect(by('already-current')).toBe(2);
      expect(summary.outcomes.find((o) => o.chfId === '00-DB-12-34-56-78-00-05')).toMatchObject({ outcome: 'verified', resumes: 1 });
      expect(summary.outcomes.find((o) => o.chfId === '00-DB-12-34-56-78-00-0B')?.error?.code).toBe('HF0319');
      expect(summary.outcomes.find((o) => o.chfId === '00-DB-12-34-56-78-00-11')?.error?.code).toBe('HF0706');
      expect(summary.outcomes.find((o) => o.chfId === '00-DB-12-34-56-78-00-17')?.error?.code).toBe('HF0704');
      expect(summary.reconciliation).toEqual([
        { kind: 'status-forbids-flashing', chfId: '00-DB-12-34-56-78-00-11' },
        { kind: 'unknown-hub', chfId: '00-DB-12-34-56-78-00-17' },
      ]);
      expect(summary.asnId).toBe('ASN-00000001');
      expect(summary.chargesPence).toBe(21 * 827);
      expect(run.stdout).toMatch(/ASN-00000001\.856/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);

  it('loses and doubles no result when the server is killed mid-run and restarted', async () => {
    sut = new SystemUnderTest({ hubs: 8, payloadBytes: PAYLOAD });
    await sut.setUp({ rigs: ['RIG-01'], baud: BAUD });
    const started = firstCommit(sut);
    const firstDone = confirmations(sut, 1);
    sut.startAgent('RIG-01');
    await started;
    await sut.stopServer('SIGKILL');
    await firstDone; // a hub finished while the server was down: its result waits in the outbox
    await sut.startServer();
    await expectOrderDone(sut);
    await expectEveryResultOnce(sut, ['RIG-01']);
  }, 120_000);

  it('finishes every hub when the agent is killed mid-run and restarted', async () => {
    sut = new SystemUnderTest({ hubs: 8, payloadBytes: PAYLOAD });
    await sut.setUp({ rigs: ['RIG-01'], baud: BAUD });
    const started = firstCommit(sut);
    sut.startAgent('RIG-01');
    await started;
    await sut.stopAgent('RIG-01', 'SIGKILL');
    const midway = sut.hubs.map((h) => h.hub.snapshot()).filter((s) => s.committedOffset > 0 && s.slotState !== 0);
    expect(midway.length).toBeGreaterThan(0);
    sut.startAgent('RIG-01');
    await expectOrderDone(sut);
    await expectEveryResultOnce(sut, ['RIG-01']);
  }, 120_000);

  it('shows the rig flashing, and on SIGTERM checkpoints every session and resumes it at the next start', async () => {
    sut = new SystemUnderTest({ hubs: 8, payloadBytes: PAYLOAD });
    await sut.setUp({ rigs: ['RIG-01'], baud: BAUD });
    const started = firstCommit(sut);
    const agent = sut.startAgent('RIG-01');
    await started;
    type Presence = { rigId: string; state: string; flashing: Array<{ chfId: string; phase: string; jobId?: string }> };
    const flashing = await waitFor(
      async () => (await sut!.api.get<{ items: Presence[] }>('/rigs')).items.find((r) => r.rigId === 'RIG-01' && r.state === 'online' && r.flashing.length > 0),
      'the control room to see the rig flashing',
      20_000,
    );
    expect(flashing.flashing[0]!.jobId).toMatch(/^ORD-/);

    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    const midway = sut.hubs.filter((h) => {
      const s = h.hub.snapshot();
      return s.committedOffset > 0 && s.committedOffset < s.stagedSize;
    });
    expect(midway.length).toBeGreaterThan(0);
    const rig = (await sut.api.get<{ items: Presence[] }>('/rigs')).items.find((r) => r.rigId === 'RIG-01')!;
    expect(rig.state).toBe('offline'); // its goodbye, not a will after a timeout
    expect((await sut.results()).filter((r) => r.outcome === 'failed')).toEqual([]); // a stop is not a failure

    sut.startAgent('RIG-01');
    await expectOrderDone(sut);
    await expectEveryResultOnce(sut, ['RIG-01']);
    // The hubs stopped mid-transfer continued from their checkpoints (the counters cover the whole
    // flash, across the restart): one resume each, and at most one flow-control window re-sent.
    const WINDOW = 8 * 2037;
    const results = await sut.results();
    for (const h of midway) {
      const r = results.find((x) => x.hub.chfId === h.chfId && x.outcome === 'verified')!;
      expect(r.resumes, h.chfId).toBeGreaterThanOrEqual(1);
      expect(r.bytesResent, h.chfId).toBeLessThanOrEqual(WINDOW);
    }
  }, 120_000);

  it('delivers the results after the broker was unreachable for a while', async () => {
    sut = new SystemUnderTest({ hubs: 8, payloadBytes: PAYLOAD });
    await sut.setUp({ rigs: ['RIG-01'], baud: BAUD });
    // Every hub that needs a new image has its job and image and is transferring: from here the
    // rig needs the server only to report.
    const allUnderWay = transfersUnderWay(sut, 6);
    const allDone = confirmations(sut, 6);
    sut.startAgent('RIG-01');
    await allUnderWay;
    const stopped = await sut.stopServer('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toMatch(/hubflash server: SIGTERM, stopping.*\n[^]*hubflash server: stopped\n/);
    await allDone;
    expect((await sut.progress().catch(() => undefined))).toBeUndefined(); // still unreachable
    await sut.startServer();
    await expectOrderDone(sut);
    await expectEveryResultOnce(sut, ['RIG-01']);
  }, 120_000);

  it('lets two rigs flash one order', async () => {
    sut = new SystemUnderTest({ hubs: 8, payloadBytes: PAYLOAD });
    await sut.setUp({ rigs: ['RIG-A', 'RIG-B'], baud: BAUD });
    const ports = sut.hubs.map((h) => h.pty.path);
    sut.startAgent('RIG-A', ports.slice(0, 4));
    sut.startAgent('RIG-B', ports.slice(4));
    await expectOrderDone(sut);
    await expectEveryResultOnce(sut, ['RIG-A', 'RIG-B']);
    const rigs = new Set((await sut.results()).map((r) => r.rigId));
    expect(rigs).toEqual(new Set(['RIG-A', 'RIG-B']));
  }, 120_000);
});
