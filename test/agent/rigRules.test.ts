import { Duplex } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, Rig, type FlashResult, type PortRef } from '../../agent/index.ts';
import { ErrorCode } from '../../protocol/errors/index.ts';
import { createMemoryLink, type MemoryLink, type SimulatedHub } from '../../simulators/index.ts';
import { cleanupList, makeFirmware, makeHub, memoryPort, type Firmware } from './fixtures.ts';

// The rig's own rules, against simulated hubs on in-memory lines: its options, a hub that moves
// to a port the rig already knew, what it tells its listeners, and what it passes to sessions.

let fw: Firmware;
beforeAll(() => {
  fw = makeFirmware(40 * 1024);
});

// The tests run at once: each has its own rig, hubs and lines.
const cleanups = cleanupList('file');

async function ready(hub: SimulatedHub): Promise<PortRef> {
  await hub.powerOn();
  const mem = memoryPort(hub);
  cleanups.push(() => {
    mem.close();
    hub.close();
  });
  return mem.port;
}

/**
 * A port whose line to the hub is only plugged in when the agent first writes to it: the rig may
 * know of it early without taking the hub off the line it is being flashed on.
 */
function latePort(hub: SimulatedHub, name: string): PortRef {
  let link: MemoryLink | undefined;
  const host = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      if (!link) {
        link = createMemoryLink(hub, { baud: 2_000_000, latencyMs: 1 });
        link.host.on('data', (b: Buffer) => host.push(b));
        link.host.on('end', () => host.push(null));
      }
      link.host.write(chunk);
      done();
    },
    destroy(err, done) {
      link?.close();
      done(err);
    },
  });
  cleanups.push(() => host.destroy());
  return { kind: 'stream', stream: host, name, bytesPerSecond: 200_000, latencyMs: 1 };
}

describe.concurrent('a rig', () => {
  it('refuses a concurrency that is not a whole number of at least 1', () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      expect(() => new Rig({ image: fw.image, concurrency }), String(concurrency)).toThrow(expect.objectContaining({ code: ErrorCode.RigOptionInvalid }));
    }
    expect(new Rig({ image: fw.image, concurrency: 1 }).slots).toEqual({ total: 1, busy: 0 });
  });

  it('finds a hub on a port it was told of before the old one closed, and reports the final result once', async () => {
    const hub = makeHub(fw, 60, { flash: { eraseMs: 2, programMs: 0.05 } });
    await hub.powerOn();
    const first = memoryPort(hub);
    cleanups.push(() => {
      first.close();
      hub.close();
    });
    const later = latePort(hub, 'late:1');
    // Generous: a hub that is not found fails only after this, well within the test's timeout.
    const journal = new MemoryStore();
    const rig = new Rig({ image: fw.image, journal, reappearMs: 8000 });
    const events: string[] = [];
    rig.on('hub-waiting', (w) => events.push(`waiting ${w.port}`));
    rig.on('hub-resumed', (w) => events.push(`resumed ${w.port}`));
    const results: FlashResult[] = [];
    rig.on('result', (r) => results.push(r));
    let moved = false;
    rig.on('progress', (p) => {
      if (!moved && p.committedOffset > 12_000) {
        moved = true;
        // Discovery saw the new port first (nothing waits yet, so it is only remembered) ...
        rig.portAppeared(later);
        // ... then the old one went.
        first.close();
      }
    });
    const result = await rig.flash(first.port);
    expect(events).toEqual(['waiting mem:' + hub.identity.chfId, 'resumed late:1']);
    expect(result).toMatchObject({ outcome: 'verified', port: 'late:1', resumes: 1 });
    expect(results).toEqual([result]);
    // The journal names the port the hub finished on.
    expect((await journal.load(hub.identity.chfId, fw.image.sha256))?.port).toBe('late:1');
    expect(hub.snapshot().running).toMatchObject({ hash: fw.image.sha256, trial: false });
  }, 20_000);

  it('refuses another hub than the one expected on the port, writing nothing', async () => {
    const hub = makeHub(fw, 61);
    const port = await ready(hub);
    const rig = new Rig({ image: fw.image });
    const r = await rig.flash(port, fw.image, makeHub(fw, 62).identity.chfId);
    expect(r.outcome).toBe('failed');
    expect(r.bytesSent).toBe(0);
    expect(hub.snapshot().running.version).toBe(0x01000000);
  });

  it("stops its sessions when its signal is aborted", async () => {
    const hub = makeHub(fw, 63, { flash: { eraseMs: 2, programMs: 0.05 } });
    const port = await ready(hub);
    const stop = new AbortController();
    const rig = new Rig({ image: fw.image, signal: stop.signal });
    rig.on('progress', (p) => {
      if (p.committedOffset > 10_000) stop.abort();
    });
    const r = await rig.flash(port);
    expect(r).toMatchObject({ outcome: 'failed', error: { name: 'SessionAborted' } });
    expect(hub.snapshot().running.version).toBe(0x01000000);
  });

  // Either way the flash ends at once, not after the reappear time (far longer than the test may take).
  for (const when of ['by a hub-waiting listener', 'while the rig waits'] as const) {
    it(`cancelled ${when}: the hub's flash ends at once as cancelled`, async () => {
      const hub = makeHub(fw, when === 'while the rig waits' ? 64 : 66, { flash: { eraseMs: 2, programMs: 0.05 } });
      await hub.powerOn();
      const line = memoryPort(hub);
      cleanups.push(() => {
        line.close();
        hub.close();
      });
      const stop = new AbortController();
      const rig = new Rig({ image: fw.image, journal: new MemoryStore(), signal: stop.signal, reappearMs: 600_000 });
      rig.on('progress', (p) => {
        if (p.committedOffset > 12_000) line.close();
      });
      rig.on('hub-waiting', () => (when === 'while the rig waits' ? setImmediate(() => stop.abort()) : stop.abort()));
      const r = await rig.flash(line.port);
      expect(r).toMatchObject({ outcome: 'failed', error: { name: 'SessionAborted', context: { chfId: hub.identity.chfId } } });
    }, 15_000);
  }

  it('does not probe a port that has a session on it when discovery reports it again', async () => {
    const hub = makeHub(fw, 65, { flash: { eraseMs: 2, programMs: 0.05 } });
    const port = await ready(hub);
    const rig = new Rig({ image: fw.image });
    const appeared: string[] = [];
    rig.on('hub-appeared', (a) => appeared.push(a.hub.chfId));
    let again = false;
    rig.on('progress', (p) => {
      if (!again && p.committedOffset > 10_000) {
        again = true;
        rig.portAppeared(port);
      }
    });
    const r = await rig.flash(port);
    expect(again).toBe(true);
    expect([r.outcome, r.resumes, r.bytesResent]).toEqual(['verified', 0, 0]);
    expect(appeared).toEqual([]);
  });

  it('a hub that comes back goes ahead of hubs still queued', async () => {
    const hubs = [70, 71, 72].map((i) => makeHub(fw, i, { flash: { eraseMs: 2, programMs: 0.05 } }));
    await Promise.all(hubs.map((h) => h.powerOn()));
    const lines = hubs.map((h) => memoryPort(h));
    cleanups.push(() => {
      for (const l of lines) l.close();
      for (const h of hubs) h.close();
    });
    const back = latePort(hubs[0]!, 'late:A');
    const rig = new Rig({ image: fw.image, journal: new MemoryStore(), concurrency: 1, reappearMs: 8000 });
    let moved = false;
    rig.on('progress', (p) => {
      if (!moved && p.chfId === hubs[0]!.identity.chfId && p.committedOffset > 12_000) {
        moved = true;
        lines[0]!.close();
      }
    });
    // The second hub takes the free slot; the first comes back while it is flashed.
    rig.on('hub-waiting', () => rig.portAppeared(back));
    const order: string[] = [];
    rig.on('result', (r) => order.push(r.hub!.chfId));
    const results = await rig.flashAll(lines.map((l) => l.port));
    expect(results.map((r) => r.outcome)).toEqual(['verified', 'verified', 'verified']);
    expect(results[0]).toMatchObject({ port: 'late:A', resumes: 1 });
    expect(order).toEqual([hubs[1]!, hubs[0]!, hubs[2]!].map((h) => h.identity.chfId));
  }, 20_000);

  it('does not look for a hub on a port reported gone; gives it up after reappearMs, naming where it stopped', async () => {
    const hub = makeHub(fw, 67, { flash: { eraseMs: 2, programMs: 0.05 } });
    await hub.powerOn();
    const first = memoryPort(hub);
    cleanups.push(() => {
      first.close();
      hub.close();
    });
    const gone = latePort(hub, 'gone:1');
    const rig = new Rig({ image: fw.image, journal: new MemoryStore(), reappearMs: 300 });
    let moved = false;
    rig.on('progress', (p) => {
      if (!moved && p.committedOffset > 12_000) {
        moved = true;
        rig.portAppeared(gone);
        rig.portDisappeared(gone);
        first.close();
      }
    });
    const r = await rig.flash(first.port);
    expect(r).toMatchObject({ outcome: 'failed', error: { name: 'HubLost', context: { chfId: hub.identity.chfId, port: 'mem:' + hub.identity.chfId } } });
    expect(r.error?.context?.committedOffset).toBeGreaterThan(12_000);
    expect(hub.snapshot().running.version).toBe(0x01000000);
    // Given up, it is waited for no longer: back on a port, it is announced like any other hub.
    const appeared = new Promise<string>((resolve) => rig.once('hub-appeared', (a) => resolve(a.hub.chfId)));
    rig.portAppeared(latePort(hub, 'back:1'));
    expect(await appeared).toBe(hub.identity.chfId);
  });
});
