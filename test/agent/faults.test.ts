import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, Rig, SerialDiscovery, type FlashResult } from '../../agent/index.ts';
import type { HubFaults, HubSnapshot } from '../../simulators/index.ts';
import { makeFirmware, makeHub, PTY_LINE, PTY_USB_ID, ptyHubs, type Firmware } from './fixtures.ts';

// Every fault the simulator can inject, one test each, against hubs on pseudo-terminals. Each
// faulty hub is flashed by one rig next to a healthy hub, which must not notice.

let fw: Firmware;
beforeAll(() => {
  fw = makeFirmware(64 * 1024);
});

/** The flow-control window at the agreed frame: 8 credits × 2037 bytes. */
const WINDOW = 8 * 2037;
let nextIndex = 100;

interface Outcome {
  faulty: FlashResult;
  hub: HubSnapshot;
}

async function flashNextToHealthy(faults: HubFaults): Promise<Outcome> {
  // A flash slow enough that received-but-uncommitted bytes exist when power goes.
  const hub = makeHub(fw, nextIndex++, { faults, flash: { eraseMs: 3, programMs: 0.05 } });
  const neighbour = makeHub(fw, nextIndex++);
  await Promise.all([hub.powerOn(), neighbour.powerOn()]);
  const lines = await ptyHubs([hub, neighbour]);
  const discovery = new SerialDiscovery({ filters: [PTY_USB_ID], list: lines.list, intervalMs: 25, baudRate: PTY_LINE.baud });
  try {
    const rig = new Rig({ image: fw.image, journal: new MemoryStore(), reappearMs: 3000 });
    rig.attach(discovery);
    await discovery.start();
    const [faulty, healthy] = await rig.flashAll(lines.ports);
    expect(healthy).toMatchObject({ outcome: 'verified', bytesResent: 0, resumes: 0 });
    expect(neighbour.snapshot().running.hash).toBe(fw.image.sha256);
    return { faulty: faulty!, hub: hub.snapshot() };
  } finally {
    discovery.stop();
    await lines.close();
    hub.close();
    neighbour.close();
  }
}

function expectVerified(r: Outcome, maxResent = WINDOW): void {
  expect(r.faulty.error).toBeUndefined();
  expect(r.faulty.outcome).toBe('verified');
  expect(r.hub.running).toMatchObject({ hash: fw.image.sha256, trial: false });
  expect(r.faulty.bytesResent).toBeLessThanOrEqual(maxResent);
}

describe.concurrent('every simulator fault, on a pty next to a healthy hub', () => {
  it('power loss mid-transfer: resumes from the committed offset', async () => {
    const r = await flashNextToHealthy({ powerLoss: [{ offset: 30_000 }] });
    expectVerified(r);
    expect(r.faulty.resumes).toBeGreaterThanOrEqual(1);
    expect(r.faulty.bytesResent).toBeGreaterThan(0);
  });

  for (const step of ['begin', 'write', 'commit', 'verify', 'activate', 'reboot', 'confirm'] as const) {
    it(`power loss at step ${step}`, async () => {
      expectVerified(await flashNextToHealthy({ powerLoss: [{ step }] }));
    });
  }

  it('power loss in the middle of a flash operation', async () => {
    expectVerified(await flashNextToHealthy({ powerLoss: [{ op: 25 }] }));
  });

  it('bit flips both ways', async () => {
    const r = await flashNextToHealthy({ toHub: { bitflip: 1e-5 }, toHost: { bitflip: 1e-4 } });
    expectVerified(r, 20 * WINDOW);
    expect(r.faulty.bytesResent).toBeGreaterThan(0);
  });

  it('dropped bytes', async () => {
    const r = await flashNextToHealthy({ toHub: { drop: 1e-4 }, toHost: { drop: 1e-3 } });
    expectVerified(r, 20 * WINDOW);
    expect(r.faulty.bytesResent).toBeGreaterThan(0);
  });

  it('duplicated bytes', async () => {
    const r = await flashNextToHealthy({ toHub: { duplicate: 1e-4 }, toHost: { duplicate: 1e-3 } });
    expectVerified(r, 20 * WINDOW);
    expect(r.faulty.bytesResent).toBeGreaterThan(0);
  });

  it('a stall longer than the timeouts', async () => {
    const r = await flashNextToHealthy({ stall: [{ ms: 1200, at: { offset: 20_000 } }] });
    expectVerified(r);
  });

  it('a disconnect, then re-enumeration on a new pty', async () => {
    const r = await flashNextToHealthy({ disconnect: [{ offset: 25_000 }], reenumerateMs: 100 });
    expectVerified(r);
    expect(r.faulty.resumes).toBeGreaterThanOrEqual(1);
  });

  it('a staged image that fails to boot: the hub keeps its old image, with a precise error', async () => {
    const r = await flashNextToHealthy({ bootFail: Infinity });
    expect(r.faulty).toMatchObject({ outcome: 'failed', error: { code: 'HF0319', name: 'HubBootFailed' } });
    expect(r.hub.running.version).toBe(0x01000000);
    expect(r.hub.lastBootFailed).toBe(true);
  });

  it('nonsense identity: nothing is sent', async () => {
    const r = await flashNextToHealthy({ nonsenseIdentity: true });
    expect(r.faulty).toMatchObject({ outcome: 'failed', bytesSent: 0, error: { code: 'HF0317', name: 'HubIdentityInvalid' } });
    expect(r.faulty.hub).toBeUndefined();
  });

  it('a Commissioned hub is not flashed', async () => {
    const r = await flashNextToHealthy({ installState: 2 });
    expect(r.faulty).toMatchObject({ outcome: 'ineligible', bytesSent: 0, error: { code: 'HF0316', name: 'HubInstalled' } });
  });

  it('an InstalledNotCommissioned hub is not flashed', async () => {
    const r = await flashNextToHealthy({ installState: 1 });
    expect(r.faulty).toMatchObject({ outcome: 'ineligible', bytesSent: 0, error: { code: 'HF0316' } });
  });
});
