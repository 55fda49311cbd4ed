import { beforeAll, describe, expect, it } from 'vitest';
import { createTransport, flashHub, Rig } from '../../agent/index.ts';
import type { ConnectRequest } from '../../protocol/messages/index.ts';
import type { SimulatedHub } from '../../simulators/index.ts';
import { cleanupList, makeFirmware, makeHub, type Firmware } from './fixtures.ts';
import { tappedPort, type TappedPort } from './tap.ts';

// What flashHub and the rig pass on: link options (the frame size offered at CONNECT, seen on the
// line), the session policy, trusted keys for an unprepared image, and who closes the port.

let fw: Firmware;
beforeAll(() => {
  fw = makeFirmware(24 * 1024);
});

const cleanups = cleanupList();

/** A hub behind a tap that records the frame size every CONNECT offers. */
async function tapped(hub: SimulatedHub): Promise<TappedPort & { offered: number[] }> {
  await hub.powerOn();
  const offered: number[] = [];
  const tap = tappedPort(hub, {
    toHub: (m) => {
      if (m.kind === 'connect') offered.push((m as ConnectRequest).maxFrame);
      return undefined;
    },
  });
  cleanups.push(() => {
    tap.close();
    hub.close();
  });
  return { ...tap, offered };
}

describe('flashHub', () => {
  it('verifies raw image bytes against the trusted keys given, and closes the transport it was given', async () => {
    const hub = makeHub(fw, 80);
    const tap = await tapped(hub);
    const transport = createTransport(tap.port);
    const r = await flashHub({ transport, image: fw.upgrade, trustedKeys: [fw.key.publicKeyPem] });
    expect([r.outcome, r.error]).toEqual(['verified', undefined]);
    expect(transport.isOpen).toBe(false);
  });

  it('leaves the transport open with keepOpen', async () => {
    const hub = makeHub(fw, 81);
    const tap = await tapped(hub);
    const transport = createTransport(tap.port);
    const r = await flashHub({ transport, image: fw.image, keepOpen: true });
    expect(r.outcome).toBe('verified');
    expect(transport.isOpen).toBe(true);
    await transport.close();
  });

  it("offers the link options' frame size, and writes frames of that size", async () => {
    const hub = makeHub(fw, 82);
    const tap = await tapped(hub);
    const r = await flashHub({ port: tap.port, image: fw.image, link: { maxFrame: 600 } });
    expect(r.outcome).toBe('verified');
    expect(new Set(tap.offered)).toEqual(new Set([600]));
    // At most 600 bytes a frame, headers included: well over 24 KiB ÷ 600 WRITEs.
    expect(tap.toHub.filter((k) => k === 'write').length).toBeGreaterThan(fw.image.size / 600);
  });
});

describe('a rig', () => {
  it('passes its link options to its sessions and to the probes of ports that appear', async () => {
    const flashed = makeHub(fw, 83);
    const probed = makeHub(fw, 84);
    const [a, b] = [await tapped(flashed), await tapped(probed)];
    const rig = new Rig({ image: fw.image, link: { maxFrame: 700 } });
    const appeared = new Promise<string>((resolve) => rig.once('hub-appeared', (x) => resolve(x.hub.chfId)));
    rig.portAppeared(b.port);
    expect(await appeared).toBe(probed.identity.chfId);
    expect(b.offered).toEqual([700]);
    expect((await rig.flash(a.port)).outcome).toBe('verified');
    expect(new Set(a.offered)).toEqual(new Set([700]));
  });

  it('passes its policy to its sessions: no reconnect allowed, a power cut ends the flash', async () => {
    const hub = makeHub(fw, 85, { faults: { powerLoss: [{ offset: 10_000 }] } });
    const tap = await tapped(hub);
    const r = await new Rig({ image: fw.image, policy: { reconnects: 0 } }).flash(tap.port);
    expect(r).toMatchObject({ outcome: 'failed', resumes: 0 });
  });
});
