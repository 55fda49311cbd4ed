import { afterEach, describe, expect, it } from 'vitest';
import { HanVariant, InstallState, SlotState, type Reply } from '../../../protocol/messages/index.ts';
import { ByteFaultInjector } from '../../../simulators/link/byteFaults.ts';
import { Random } from '../../../simulators/random.ts';
import { createMemoryLink, fastTiming, type HubFaults, type SimulatedHub } from '../../../simulators/index.ts';
import { factory, hostFor, image, makeHub, once, sha, V1, V2 } from '../helpers/fixture.ts';
import { flashResiliently } from '../helpers/resilientFlash.ts';
import { TestHost } from '../helpers/testHost.ts';

const img = image(V2);
let hub: SimulatedHub;
let host: TestHost;
afterEach(() => {
  host?.close();
  hub?.close();
});

function setup(faults: HubFaults): void {
  hub = makeHub({ faults });
  host = hostFor(hub);
  host.timeoutMs = 100;
}

describe('line faults', () => {
  it('flip bits, drop and duplicate bytes at their rates, reproducibly from the seed', () => {
    const run = (seed: number) => {
      const noise = new ByteFaultInjector({ bitflip: 1e-4, drop: 1e-3, duplicate: 5e-4 }, new Random(seed));
      let out = 0;
      for (let i = 0; i < 100; i++) out += noise.apply(Buffer.alloc(10_000, 0x55)).length;
      return { ...noise.stats, out };
    };
    const a = run(7);
    // 1e6 bytes: ~1000 dropped, ~500 doubled, ~800 bits flipped (8e6 bits), each within 5 sigma.
    expect(a.dropped).toBeGreaterThan(1000 - 160);
    expect(a.dropped).toBeLessThan(1000 + 160);
    expect(a.duplicated).toBeGreaterThan(500 - 115);
    expect(a.duplicated).toBeLessThan(500 + 115);
    expect(a.flipped).toBeGreaterThan(800 - 145);
    expect(a.flipped).toBeLessThan(800 + 145);
    expect(a.out).toBe(1_000_000 - a.dropped + a.duplicated);
    expect(run(7)).toEqual(a);
    expect(run(8)).not.toEqual(a);
  });

  it('a noisy line still delivers the image intact: the host recovers from every NAK', async () => {
    setup({ toHub: { bitflip: 2e-6, drop: 2e-5, duplicate: 1e-5 }, toHost: { drop: 1e-4 } });
    await flashResiliently(host, img);
    expect(hub.snapshot().running).toMatchObject({ version: V2, hash: sha(img), valid: true });
    const naks = host.replies.filter((r) => r.kind === 'error');
    expect(naks.length).toBeGreaterThan(0);
  });

  it('a stall holds the line: nothing moves for its duration', async () => {
    setup({ stall: [{ ms: 150, at: { offset: 4096 } }] });
    await host.connect();
    const stalled = once(hub, 'stall');
    const t0 = Date.now();
    await host.transfer(img);
    expect(await stalled).toBe(150);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
  });

  it('a disconnect ends an in-memory link', async () => {
    setup({ disconnect: [{ step: 'verify' }] });
    await host.connect();
    await host.transfer(img);
    const closed = once(host.stream, 'close');
    host.send({ kind: 'verify' });
    await closed;
    // The hub itself is fine (it did the VERIFY; only the reply was lost): a new link reaches it.
    const again = new TestHost(createMemoryLink(hub, fastTiming().link).host);
    expect(await again.request({ kind: 'status' })).toMatchObject({ slotState: SlotState.Verified });
    again.close();
  });
});

describe('device faults', () => {
  it('power loss at an image offset: the hub goes off and comes back at its committed offset', async () => {
    setup({ powerLoss: [{ offset: 6000 }], powerOnDelayMs: 20 });
    const cut = once(hub, 'power-cut');
    const back = once(hub, 'power-on');
    hub.once('power-cut', () => host.close()); // the host stops there, so the hub is seen as it comes back
    await host.connect();
    void host.transfer(img).catch(() => {});
    expect(await cut).toEqual({ injected: true });
    await back;
    expect(hub.snapshot()).toMatchObject({ powered: true, committedOffset: 4096, receivedOffset: 4096, slotState: SlotState.Receiving });
  });

  it.each([
    ['activate', V1, SlotState.Complete],
    ['reboot', V1, SlotState.Complete],
    ['confirm', V1, SlotState.Complete],
  ] as const)('power loss at step %s boots the old image with the staged one kept', async (step, version, slotState) => {
    setup({ powerLoss: [{ step }] });
    const cut = once(hub, 'power-cut', 2000);
    await host.connect();
    await host.transfer(img);
    await host.request({ kind: 'activate' }).catch(() => undefined);
    if (step === 'confirm') {
      await host.requestUntilAnswered({ kind: 'identify' });
      await host.request({ kind: 'confirm' }).catch(() => undefined);
    }
    await cut;
    const id = (await host.requestUntilAnswered({ kind: 'identify' })) as Extract<Reply, { kind: 'identify-reply' }>;
    expect(id).toMatchObject({ runningVersion: version, runningHash: sha(factory), slotState, lastBootFailed: false });
  });

  it('power loss at a set time after start', async () => {
    setup({ powerLoss: [{ afterMs: 30 }], powerOnDelayMs: 20 });
    expect(await once(hub, 'power-cut')).toEqual({ injected: true });
    expect(hub.powered).toBe(false);
    await once(hub, 'power-on');
    expect(hub.powered).toBe(true);
  });

  it('nonsense identity: IDENTIFY reports fields no hub would', async () => {
    setup({ nonsenseIdentity: true });
    const id = await host.request({ kind: 'identify' });
    expect(id).toMatchObject({ chfId: 'FF-FF-FF-FF-FF-FF-FF-FF', gpfId: 'FF-FF-FF-FF-FF-FF-FF-FF', manufacturerCode: 0xffff });
    expect(Object.values(HanVariant)).not.toContain((id as { hanVariant: number }).hanVariant);
    expect(Object.values(InstallState)).not.toContain((id as { installState: number }).installState);
  });

  it('an installed (not commissioned) hub reports it and refuses BEGIN', async () => {
    setup({ installState: InstallState.InstalledNotCommissioned });
    expect(await host.request({ kind: 'identify' })).toMatchObject({ installState: InstallState.InstalledNotCommissioned });
    expect(await host.request({ kind: 'begin', imageHash: sha(img), size: img.length, version: V2, signature: img.subarray(-64) })).toMatchObject({ kind: 'error', arg: 10 });
  });
});
