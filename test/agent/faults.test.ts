import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig, MemoryStore, type FlashResult } from '../../agent/index.ts';
import type { HubFaults, HubSnapshot } from '../../simulators/index.ts';
import { makeFirmware, makeHub, memoryPort, type Firmware } from './fixtures.ts';

let fw: Firmware;
beforeAll(() => {
  fw = makeFirmware(64 * 1024);
});

const WINDOW = 16 * 1024;
let next = 100;

async function flashWithNeighbour(faults: HubFaults): Promise<{ faulty: FlashResult; healthy: FlashResult; hub: HubSnapshot }> {
  const hub = makeHub(fw, next++, { faults });
  const neighbour = makeHub(fw, next++);
  await Promise.all([hub.powerOn().catch(() => {}), neighbour.powerOn()]);
  const a = memoryPort(hub);
  const b = memoryPort(neighbour);
  try {
    const rig = new Rig({ image: fw.image, journal: new MemoryStore(), reappearMs: 2000 });
    const [faulty, healthy] = await rig.flashAll([a.port, b.port]);
    expect(healthy!.outcome).toBe('verified');
    expect(healthy!.bytesResent).toBe(0);
    expect(healthy!.resumes).toBe(0);
    expect(neighbour.snapshot().running.hash).toBe(fw.image.sha256);
    return { faulty: faulty!, healthy: healthy!, hub: hub.snapshot() };
  } finally {
    a.close();
    b.close();
    hub.close();
    neighbour.close();
  }
}

function expectVerified(r: { faulty: FlashResult; hub: HubSnapshot }): void {
  expect(r.faulty.error).toBeUndefined();
  expect(r.faulty.outcome).toBe('verified');
  expect(r.hub.running).toMatchObject({ hash: fw.image.sha256, trial: false });
}

describe.concurrent('every fault the simulator injects, next to a healthy hub', () => {
  it('power loss mid-transfer', async () => {
    const r = await flashWithNeighbour({ powerLoss: [{ offset: 30_000 }] });
    expectVerified(r);
    expect(r.faulty.resumes).toBeGreaterThanOrEqual(1);
    expect(r.faulty.bytesResent).toBeLessThanOrEqual(WINDOW);
  });
  for (const step of ['begin', 'write', 'commit', 'verify', 'activate', 'reboot', 'confirm'] as const) {
    it(`power loss at step ${step}`, async () => {
      const r = await flashWithNeighbour({ powerLoss: [{ step }] });
      expectVerified(r);
      expect(r.faulty.bytesResent).toBeLessThanOrEqual(WINDOW);
    });
  }
  it('power loss during a flash operation', async () => {
    const r = await flashWithNeighbour({ powerLoss: [{ op: 20 }] });
    expectVerified(r);
  });
  it('bit flips both ways', async () => {
    const r = await flashWithNeighbour({ toHub: { bitflip: 2e-6 }, toHost: { bitflip: 2e-5 } });
    expectVerified(r);
  });
  it('dropped bytes', async () => {
    const r = await flashWithNeighbour({ toHub: { drop: 1e-5 }, toHost: { drop: 1e-4 } });
    expectVerified(r);
  });
  it('duplicated bytes', async () => {
    const r = await flashWithNeighbour({ toHub: { duplicate: 1e-5 }, toHost: { duplicate: 1e-4 } });
    expectVerified(r);
  });
  it('a stall', async () => {
    const r = await flashWithNeighbour({ stall: [{ ms: 1500, at: { offset: 20_000 } }] });
    expectVerified(r);
  });
  it('a staged image that fails to boot', async () => {
    const r = await flashWithNeighbour({ bootFail: Infinity });
    expect(r.faulty.outcome).toBe('failed');
    expect(r.faulty.error?.name).toBe('HubBootFailed');
    expect(r.hub.running.version).toBe(0x01000000);
  });
  it('nonsense identity', async () => {
    const r = await flashWithNeighbour({ nonsenseIdentity: true });
    expect(r.faulty.outcome).toBe('failed');
    expect(r.faulty.error?.name).toBe('HubIdentityInvalid');
    expect(r.faulty.bytesSent).toBe(0);
  });
  it('a Commissioned hub', async () => {
    const r = await flashWithNeighbour({ installState: 2 });
    expect(r.faulty.outcome).toBe('ineligible');
    expect(r.faulty.error?.name).toBe('HubInstalled');
  });
});
