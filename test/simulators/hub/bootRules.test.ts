import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceErrorCode, InstallState, MessageType, RejectReason, SlotState, type Reply } from '../../../protocol/messages/index.ts';
import { ManualClock, type SimulatedHub } from '../../../simulators/index.ts';
import { factory, hostFor, image, makeHub, once, sha, V1, V2 } from '../helpers/fixture.ts';
import type { TestHost } from '../helpers/testHost.ts';

let hub: SimulatedHub;
let host: TestHost | undefined;
afterEach(() => {
  host?.close();
  host = undefined;
  hub?.close();
});

const img = image(V2);

/** Clears a set bit of `bytes` as stored in `slot` (NOR can only clear bits): the slot no longer matches. */
function decay(slot: 0 | 1, bytes: Uint8Array): void {
  const at = bytes.findIndex((b, i) => i >= 100 && b !== 0);
  hub.flash.slots[slot].program(at, new Uint8Array(1));
}

async function staged(opts?: Parameters<typeof makeHub>[0]): Promise<void> {
  hub = makeHub(opts);
  host = hostFor(hub);
  await host.connect();
  expect(await host.transfer(img)).toMatchObject({ kind: 'begin-reply' });
}

describe('bootloader and lifecycle rules of docs/simulator.md', () => {
  it('is silent for rebootMs after ACTIVATE: a request sent then is dropped, not answered late', async () => {
    await staged({ rebootMs: 600 });
    const h = host!;
    const booted = once<{ trial: boolean }>(hub, 'booted');
    const activated = h.request({ kind: 'activate' }).then((r) => {
      h.send({ kind: 'identify' }); // into the silence
      return r;
    });
    expect(await activated).toMatchObject({ kind: 'activate-reply', rebootMs: 600 });
    expect(await booted).toMatchObject({ trial: true });
    const before = h.replies.length;
    expect(await h.request({ kind: 'status' })).toMatchObject({ slotState: SlotState.Trial });
    // Nothing but the STATUS reply: the IDENTIFY sent during the reboot was dropped.
    expect(h.replies.slice(before - 1).map((r) => r.kind)).toEqual(['activate-reply', 'status-reply']);
  });

  it('an injected power loss keeps the hub off for 1000 ms by default', () => {
    const clock = new ManualClock();
    hub = makeHub({ clock, faults: { powerLoss: [{ afterMs: 10 }], powerOnDelayMs: undefined } });
    const ons: unknown[] = [];
    hub.on('power-on', () => ons.push(clock.now()));
    clock.advance(10);
    expect(hub.powered).toBe(false);
    clock.advance(999);
    expect(hub.powered).toBe(false);
    clock.advance(1);
    expect(hub.powered).toBe(true);
    expect(ons).toEqual([1010]);
  });

  it('is silent for rebootMs after power-on too', () => {
    const clock = new ManualClock();
    hub = makeHub({ clock, rebootMs: 500 });
    let booted = false;
    hub.powerCut();
    void hub.powerOn().then(() => undefined);
    hub.on('booted', () => (booted = true));
    clock.advance(499);
    expect(booted).toBe(false);
    clock.advance(1);
    expect(booted).toBe(true);
  });

  it('emits power-on only when power comes back, not at an ACTIVATE reboot', async () => {
    await staged();
    let ons = 0;
    hub.on('power-on', () => ons++);
    const booted = once(hub, 'booted');
    await host!.request({ kind: 'activate' });
    await booted;
    expect(ons).toBe(0);
    hub.powerCut();
    await hub.powerOn();
    expect(ons).toBe(1);
  });

  it('a pending activation whose image no longer matches its hash fails to boot: old image, lastBootFailed', async () => {
    await staged();
    // Cut power at the bootloader's "attempted" mark (the operation after the activation's write).
    hub.flash.cutAtOps.add(hub.snapshot().flashOps + 2);
    const cut = once(hub, 'power-cut');
    hub.once('power-cut', () => decay(1, img)); // the staged image decays while off
    const failed = once(hub, 'boot-failed');
    void host!.request({ kind: 'activate' }).catch(() => undefined);
    await cut;
    expect(await failed).toMatchObject({ version: V1, hash: sha(factory) });
    expect(hub.snapshot()).toMatchObject({ running: { version: V1, trial: false, valid: true }, lastBootFailed: true });
  });

  it('boots a running slot that no longer matches its hash, and says so (running.valid false)', async () => {
    hub = makeHub();
    hub.powerCut();
    decay(0, factory);
    await hub.powerOn();
    expect(hub.snapshot().running).toMatchObject({ slot: 0, version: V1, valid: false });
    expect(hub.snapshot().running.hash).not.toBe(sha(factory));
  });

  it('VERIFY of a staged slot that reads back wrong reports that hash and leaves it Complete, not Verified', async () => {
    await staged();
    decay(1, img);
    const read = hub.flash.slots[1].read(0, img.length);
    expect(await host!.request({ kind: 'verify' })).toEqual({ kind: 'verify-reply', sha256: createHash('sha256').update(read).digest('hex'), size: img.length });
    expect(await host!.request({ kind: 'status' })).toMatchObject({ slotState: SlotState.Complete });
  });

  it("reports as running the version in the image's header, whatever BEGIN claimed", async () => {
    hub = makeHub();
    host = hostFor(hub);
    await host.connect();
    const claimed = V2 + 7;
    await host.request({ kind: 'begin', imageHash: sha(img), size: img.length, version: claimed, signature: img.subarray(-64) });
    expect(await host.request({ kind: 'status' })).toMatchObject({ stagedVersion: claimed });
    await host.transfer(img); // same image: resumes
    await host.request({ kind: 'activate' });
    expect(await host.requestUntilAnswered({ kind: 'identify' })).toMatchObject({ runningVersion: V2, slotState: SlotState.Trial });
    expect(await host.request({ kind: 'confirm' })).toMatchObject({ runningVersion: V2 });
  });

  it("ACTIVATE's long operation includes the signature check: other requests get Busy meanwhile", async () => {
    await staged({ flash: { eraseMs: 0, programMs: 0, settingsWriteMs: 0, readBytesPerSec: 1e12, signatureCheckMs: 400 } });
    const activating = host!.request({ kind: 'activate' });
    const busy = (await host!.request({ kind: 'abort' })) as Extract<Reply, { kind: 'error' }>;
    expect(busy).toMatchObject({ kind: 'error', requestType: MessageType.Abort, code: DeviceErrorCode.Busy });
    expect(busy.arg).toBeGreaterThan(100); // the milliseconds left of 400 (generous for a loaded machine)
    expect(await activating).toMatchObject({ kind: 'activate-reply' });
  });

  it('checks the install state again at ACTIVATE: a hub installed since its image was staged refuses it (Installed)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hubflash-sim-test-'));
    try {
      await staged({ stateDir: dir });
      host!.close();
      hub.close();
      hub = makeHub({ stateDir: dir, faults: { installState: InstallState.InstalledNotCommissioned } });
      host = hostFor(hub);
      expect(await host.request({ kind: 'activate' })).toMatchObject({ kind: 'error', code: DeviceErrorCode.ImageRejected, arg: RejectReason.Installed });
      expect(await host.request({ kind: 'identify' })).toMatchObject({ runningVersion: V1, slotState: SlotState.Complete });
    } finally {
      hub.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
