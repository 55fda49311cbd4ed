import { afterEach, describe, expect, it } from 'vitest';
import { DeviceErrorCode, InstallState, RejectReason, SlotState, type Reply } from '../../../protocol/messages/index.ts';
import { makeFirmwareImage, type SimulatedHub } from '../../../simulators/index.ts';
import { factory, hostFor, image, makeHub, once, otherKey, sha, V1, V2 } from '../helpers/fixture.ts';
import type { TestHost } from '../helpers/testHost.ts';

let hub: SimulatedHub;
let host: TestHost;
afterEach(() => {
  host?.close();
  hub?.close();
});

function setup(opts?: Parameters<typeof makeHub>[0]): void {
  hub = makeHub(opts);
  host = hostFor(hub);
}

async function stageAndActivate(img: Uint8Array, claimedHash?: string): Promise<Reply> {
  await host.connect();
  expect(await host.transfer(img, { imageHash: claimedHash })).toMatchObject({ kind: 'begin-reply' });
  return host.request({ kind: 'activate' });
}

const rejected = (reason: RejectReason) => ({ kind: 'error', code: DeviceErrorCode.ImageRejected, arg: reason });

describe('the bootloader activates only an image that passes every check', () => {
  it.each([
    ['a hash other than the one BEGIN gave', RejectReason.HashMismatch, () => ({ img: image(V2), claimedHash: 'ab'.repeat(32) })],
    ['bytes that are not a manufacturer image', RejectReason.Malformed, () => ({ img: new Uint8Array(9000).fill(0x5a) })],
    ['a tampered payload', RejectReason.BadSignature, () => {
      const img = Uint8Array.from(image(V2));
      img[200]! ^= 0x01;
      return { img };
    }],
    ['a signature by an untrusted key', RejectReason.BadSignature, () => ({ img: makeFirmwareImage({ privateKeyPem: otherKey.privateKeyPem, version: V2 }) })],
    ['another manufacturer', RejectReason.WrongManufacturer, () => ({ img: image(V2, { manufacturerCode: 0x1234 }) })],
    ['another image type', RejectReason.WrongImageType, () => ({ img: image(V2, { imageType: 0x0007 }) })],
    ['a hardware range without this hub', RejectReason.HardwareOutOfRange, () => ({ img: image(V2, { hardware: { min: 0x0200, max: 0x02ff } }) })],
    ['the running version again', RejectReason.Downgrade, () => ({ img: image(V1) })],
    ['an older version', RejectReason.Downgrade, () => ({ img: image(V1 - 1) })],
  ])('refuses %s', async (_what, reason, make) => {
    const { img, claimedHash } = make() as { img: Uint8Array; claimedHash?: string };
    setup();
    expect(await stageAndActivate(img, claimedHash)).toMatchObject(rejected(reason));
    // Refused means nothing changed: still the factory image, the staged image still there.
    expect(await host.request({ kind: 'identify' })).toMatchObject({ runningVersion: V1, runningHash: sha(factory), slotState: SlotState.Complete });
  });

  it('a Commissioned hub reports it and refuses BEGIN (Installed)', async () => {
    hub = makeHub({ faults: { installState: InstallState.Commissioned } });
    host = hostFor(hub);
    await host.connect();
    expect(await host.request({ kind: 'identify' })).toMatchObject({ installState: InstallState.Commissioned });
    const img = image(V2);
    const begin = await host.request({ kind: 'begin', imageHash: sha(img), size: img.length, version: V2, signature: img.subarray(-64) });
    expect(begin).toMatchObject(rejected(RejectReason.Installed));
  });

  it('falls back to the old image when the new one fails to boot, and says so (lastBootFailed)', async () => {
    setup({ faults: { bootFail: 1 } });
    const failed = once(hub, 'boot-failed');
    expect(await stageAndActivate(image(V2))).toMatchObject({ kind: 'activate-reply', rebootMs: 0 });
    expect(await failed).toMatchObject({ version: V1, hash: sha(factory) });
    const after = await host.requestUntilAnswered({ kind: 'identify' });
    expect(after).toMatchObject({ runningVersion: V1, runningHash: sha(factory), lastBootFailed: true, slotState: SlotState.Complete });
    // The staged image is still there: a second activation (the fault was for one boot) succeeds.
    await host.request({ kind: 'activate' });
    expect(await host.requestUntilAnswered({ kind: 'identify' })).toMatchObject({ runningVersion: V2, slotState: SlotState.Trial, lastBootFailed: false });
  });

  it('boots the old image after a power cut in Trial', async () => {
    setup();
    await stageAndActivate(image(V2));
    expect(await host.requestUntilAnswered({ kind: 'identify' })).toMatchObject({ runningVersion: V2, slotState: SlotState.Trial });
    hub.powerCut();
    await hub.powerOn();
    expect(await host.request({ kind: 'identify' })).toMatchObject({ runningVersion: V1, runningHash: sha(factory), slotState: SlotState.Complete, lastBootFailed: false });
    expect(hub.snapshot().running).toMatchObject({ version: V1, valid: true, trial: false });
  });

  it('keeps the new image for good once confirmed, across power cuts', async () => {
    const img = image(V2);
    setup();
    await stageAndActivate(img);
    await host.requestUntilAnswered({ kind: 'identify' });
    await host.request({ kind: 'confirm' });
    hub.powerCut();
    await hub.powerOn();
    expect(await host.request({ kind: 'identify' })).toMatchObject({ runningVersion: V2, runningHash: sha(img), slotState: SlotState.Empty });
    const booted = once(hub, 'booted');
    hub.powerCut();
    void hub.powerOn();
    expect(await booted).toMatchObject({ version: V2, valid: true, trial: false });
  });
});
