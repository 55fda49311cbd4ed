import { beforeAll, describe, expect, it } from 'vitest';
import { flashHub, MemoryStore, prepareImage, type Checkpoint, type FlashResult, type SessionProgress } from '../../agent/index.ts';
import { ErrorCode } from '../../protocol/errors/index.ts';
import { formatFirmwareVersion } from '../../protocol/ids/index.ts';
import { makeFirmwareImage, type SimulatedHub } from '../../simulators/index.ts';
import { cleanupList, makeFirmware, makeHub, memoryPort, type Firmware } from './fixtures.ts';

let fw: Firmware;
beforeAll(() => {
  fw = makeFirmware(96 * 1024);
});

const cleanups = cleanupList();

async function ready(hub: SimulatedHub) {
  await hub.powerOn();
  const mem = memoryPort(hub);
  cleanups.push(() => {
    mem.close();
    hub.close();
  });
  return mem.port;
}

function expectOnImage(hub: SimulatedHub, image = fw.image): void {
  const s = hub.snapshot();
  expect(s.running.hash).toBe(image.sha256);
  expect(s.running.trial).toBe(false);
}

describe('a hub session', () => {
  it('flashes a hub through every phase and reports it', async () => {
    const hub = makeHub(fw, 1);
    const port = await ready(hub);
    const phases: string[] = [];
    const r = await flashHub({ port, image: fw.image, onProgress: (p) => phases.push(p.phase) });
    expect(r.outcome).toBe('verified');
    expect(r.error).toBeUndefined();
    expect(r.resultId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.hub).toEqual({
      chfId: hub.identity.chfId,
      gpfId: hub.identity.gpfId,
      manufacturerCode: hub.identity.manufacturerCode,
      manufacturer: hub.identity.manufacturer,
      model: hub.identity.model,
      hardwareVersion: hub.identity.hardwareVersion,
      hanVariant: 'DualBand',
    });
    expect(r.from?.version).toBe('01000000');
    expect(r.to).toEqual({ version: '02000000', hash: fw.image.sha256 });
    expect(r.imageHash).toBe(fw.image.sha256);
    expect(r.bytesSent).toBe(fw.image.size);
    expect(r.bytesResent).toBe(0);
    expect(r.resumes).toBe(0);
    expect(Object.keys(r.phases).sort()).toEqual(['activate', 'check', 'confirm', 'connect', 'identify', 'transfer', 'verify']);
    expect(new Set(phases)).toEqual(new Set(['identify', 'check', 'transfer', 'verify', 'activate', 'confirm', 'done']));
    expectOnImage(hub);
  });

  it('reports a hub already on the image as such and sends nothing', async () => {
    const hub = makeHub(fw, 2);
    const port = await ready(hub);
    const store = new MemoryStore();
    expect((await flashHub({ port, image: fw.image, journal: store, keepOpen: true })).outcome).toBe('verified');
    const ops = hub.snapshot().flashOps;
    const again = await flashHub({ port, image: fw.image, journal: store });
    expect(again.outcome).toBe('already-current');
    expect(again.bytesSent).toBe(0);
    expect(again.imageHash).toBeUndefined();
    expect(again.from?.hash).toBe(fw.image.sha256);
    expect(hub.snapshot().flashOps).toBe(ops);
  });

  it('reports as verified a hub found on the new image that the journal shows this flash activated (the agent died before recording it)', async () => {
    const hub = makeHub(fw, 3);
    const port = await ready(hub);
    expect((await flashHub({ port, image: fw.image, keepOpen: true })).outcome).toBe('verified');
    // The journal as it was just before ACTIVATE, with no outcome recorded.
    const store = new MemoryStore();
    const at = new Date().toISOString();
    await store.save({ chfId: hub.identity.chfId, imageHash: fw.image.sha256, size: fw.image.size, phase: 'activate', committedOffset: fw.image.size, sentOffset: fw.image.size, bytesSent: fw.image.size, bytesResent: 0, resumes: 0, phases: {}, from: { version: '01000000' }, startedAt: at, updatedAt: at, port: 'mem' } as Checkpoint);
    const again = await flashHub({ port, image: fw.image, journal: store });
    expect([again.outcome, again.error]).toEqual(['verified', undefined]);
  });

  it('does not activate again an image that already failed to boot on the hub: the same error, no flash written', async () => {
    const hub = makeHub(fw, 4, { faults: { bootFail: Infinity } });
    const port = await ready(hub);
    const first = await flashHub({ port, image: fw.image, keepOpen: true });
    expect(first).toMatchObject({ outcome: 'failed', error: { code: 'HF0319' } });
    const ops = hub.snapshot().flashOps;
    const second = await flashHub({ port, image: fw.image });
    expect(second).toMatchObject({ outcome: 'failed', error: { code: 'HF0319' }, bytesSent: 0 });
    expect(hub.snapshot().flashOps).toBe(ops);
    expect(hub.snapshot().running.version).toBe(0x01000000);
  });

  it('reports progress only once the journal has it', async () => {
    const hub = makeHub(fw, 3);
    const port = await ready(hub);
    const saved: number[] = [];
    const store = new (class extends MemoryStore {
      override async save(c: Checkpoint): Promise<void> {
        await super.save(c);
        saved.push(c.committedOffset);
      }
    })();
    const progress: SessionProgress[] = [];
    const r = await flashHub({ port, image: fw.image, journal: store, onProgress: (p) => progress.push(p), policy: { checkpointMs: 0 } });
    expect(r.outcome).toBe('verified');
    const transfer = progress.filter((p) => p.phase === 'transfer');
    expect(transfer.length).toBeGreaterThan(3);
    for (const p of progress) expect(saved).toContain(p.committedOffset);
    expect(Math.max(...progress.map((p) => p.committedOffset))).toBe(fw.image.size);
  });

  it('resumes from the hub after a cancelled flash, re-sending less than one window', async () => {
    const hub = makeHub(fw, 4);
    const port = await ready(hub);
    const store = new MemoryStore();
    const stop = new AbortController();
    const first = await flashHub({
      port,
      image: fw.image,
      journal: store,
      signal: stop.signal,
      keepOpen: true,
      onProgress: (p) => {
        if (p.committedOffset > fw.image.size / 2) stop.abort();
      },
    });
    expect(first.outcome).toBe('failed');
    expect(first.error?.name).toBe('SessionAborted');
    const cut = hub.snapshot().receivedOffset;
    expect(cut).toBeLessThan(fw.image.size);
    const second = await flashHub({ port, image: fw.image, journal: store });
    expect(second.outcome).toBe('verified');
    expect(second.resumes).toBe(1);
    expect(second.bytesSent).toBeGreaterThanOrEqual(fw.image.size);
    expect(second.bytesResent).toBeLessThanOrEqual(16 * 1024);
    expect(second.startedAt).toBe(first.startedAt);
    expectOnImage(hub);
  });

  it('refuses an image that does not verify against the trusted keys before touching a hub', () => {
    const other = makeFirmware(4096);
    expect(() => prepareImage(fw.upgrade, [other.key.publicKeyPem])).toThrow(/HF020[45]/);
    expect(() => prepareImage(fw.upgrade, [])).toThrow(/HF0205/);
  });
});

describe('the reconnect budget of a session', () => {
  // One reconnect in a row allowed, each after a pause longer than the hub takes to power on.
  const policy = { reconnects: 1, reconnectDelayMs: 60 };

  it('counts failures in a row: a hub that loses power three times, with progress between, still finishes', async () => {
    const hub = makeHub(fw, 20, { faults: { powerLoss: [{ offset: 20_000 }, { offset: 45_000 }, { offset: 70_000 }], powerOnDelayMs: 20 } });
    const port = await ready(hub);
    const r = await flashHub({ port, image: fw.image, policy });
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ outcome: 'verified', resumes: 3 });
    expectOnImage(hub);
  });

  it('ends the session when the hub stays silent for more reconnects in a row than allowed', async () => {
    const hub = makeHub(fw, 21, { faults: { powerLoss: [{ offset: 20_000 }], powerOnDelayMs: 60_000 } });
    const port = await ready(hub);
    const r = await flashHub({ port, image: fw.image, policy });
    expect(r).toMatchObject({ outcome: 'failed', error: { name: 'LinkTimeout' }, resumes: 0 });
    expect(hub.snapshot().running.version).toBe(0x01000000);
  });
});

describe('eligibility: an ineligible hub is reported and not written to', () => {
  const cases: Array<[string, () => { hub: SimulatedHub; image: Uint8Array }, ErrorCode]> = [
    ['another manufacturer', () => ({ hub: makeHub(fw, 10), image: makeFirmwareImage({ privateKeyPem: fw.key.privateKeyPem, version: 0x02000000, manufacturerCode: 0x1234 }) }), ErrorCode.HubWrongManufacturer],
    ['another image type', () => ({ hub: makeHub(fw, 11), image: makeFirmwareImage({ privateKeyPem: fw.key.privateKeyPem, version: 0x02000000, imageType: 0x0042 }) }), ErrorCode.HubWrongImageType],
    ['hardware out of range', () => ({ hub: makeHub(fw, 12), image: makeFirmwareImage({ privateKeyPem: fw.key.privateKeyPem, version: 0x02000000, hardware: { min: 0x0200, max: 0x02ff } }) }), ErrorCode.HubHardwareOutOfRange],
    ['a downgrade', () => ({ hub: makeHub(fw, 13, { runningVersion: 0x03000000 }), image: fw.upgrade }), ErrorCode.HubDowngrade],
    ['not on the upgradeable-from list', () => ({ hub: makeHub(fw, 14, { runningVersion: 0x00900000 }), image: fw.upgrade }), ErrorCode.HubNotUpgradeableFrom],
    ['Commissioned', () => ({ hub: makeHub(fw, 15, { faults: { installState: 2 } }), image: fw.upgrade }), ErrorCode.HubInstalled],
    ['InstalledNotCommissioned', () => ({ hub: makeHub(fw, 16, { faults: { installState: 1 } }), image: fw.upgrade }), ErrorCode.HubInstalled],
  ];
  for (const [name, make, code] of cases) {
    it(name, async () => {
      const { hub, image } = make();
      const port = await ready(hub);
      const ops = hub.snapshot().flashOps;
      const r: FlashResult = await flashHub({ port, image, trustedKeys: [fw.key.publicKeyPem] });
      expect(r.outcome).toBe('ineligible');
      expect(r.error?.code).toBe(`HF${String(code).padStart(4, '0')}`);
      expect(r.bytesSent).toBe(0);
      expect(hub.snapshot().flashOps).toBe(ops);
      expect(hub.snapshot().running.version).toBe(hub.snapshot().running.version);
      expect(r.from?.version).toBe(formatFirmwareVersion(hub.snapshot().running.version));
    });
  }
});
