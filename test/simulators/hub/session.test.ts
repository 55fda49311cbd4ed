import { afterEach, describe, expect, it } from 'vitest';
import { HanVariant, InstallState, SlotState, type Reply } from '../../../protocol/messages/index.ts';
import type { SimulatedHub } from '../../../simulators/index.ts';
import { factory, hostFor, image, makeHub, once, sha, V1, V2 } from '../helpers/fixture.ts';
import type { TestHost } from '../helpers/testHost.ts';

let hub: SimulatedHub;
let host: TestHost;

afterEach(() => {
  host?.close();
  hub?.close();
});

function expectKind<K extends Reply['kind']>(r: Reply, kind: K): Extract<Reply, { kind: K }> {
  expect(r.kind, JSON.stringify(r)).toBe(kind);
  return r as Extract<Reply, { kind: K }>;
}

describe('a simulated hub on an in-memory line', () => {
  it('agrees the frame size at connect and identifies itself', async () => {
    hub = makeHub();
    host = hostFor(hub);
    const c = expectKind(await host.connect(8000), 'connect-reply');
    expect(c).toMatchObject({ protocolVersion: 1, maxFrame: 4107, credits: 4 });
    const small = expectKind(await host.connect(1035), 'connect-reply');
    expect(small).toMatchObject({ maxFrame: 1035, credits: 16 });
    const id = expectKind(await host.request({ kind: 'identify' }), 'identify-reply');
    expect(id).toMatchObject({
      chfId: '00-DB-12-5A-00-00-00-00',
      gpfId: '00-DB-12-5B-00-00-00-00',
      manufacturerCode: 0x121d,
      hardwareVersion: 0x0100,
      imageType: 0x0001,
      hanVariant: HanVariant.SingleBand,
      runningVersion: V1,
      runningHash: sha(factory),
      slotState: SlotState.Empty,
      installState: InstallState.NotInstalled,
      lastBootFailed: false,
      maxFrame: 4107,
    });
  });

  it('flashes a new image: pipelined writes within credits, verify, activate, reboot into Trial, confirm', async () => {
    hub = makeHub();
    host = hostFor(hub);
    const img = image(V2);
    await host.connect();
    const committed: number[] = [];
    hub.on('committed', (o: number) => committed.push(o));
    const begin = expectKind(await host.transfer(img), 'begin-reply');
    expect(begin).toMatchObject({ resumeOffset: 0, credits: 4 });
    expect(committed).toEqual([4096, 8192, 12288, img.length]);
    const naks = host.replies.filter((r) => r.kind === 'error');
    expect(naks).toEqual([]);
    const status = expectKind(await host.request({ kind: 'status' }), 'status-reply');
    expect(status).toMatchObject({ slotState: SlotState.Complete, receivedOffset: img.length, committedOffset: img.length, stagedHash: sha(img) });
    const verify = expectKind(await host.request({ kind: 'verify' }), 'verify-reply');
    expect(verify).toEqual({ kind: 'verify-reply', sha256: sha(img), size: img.length });
    const booted = once(hub, 'booted');
    expectKind(await host.request({ kind: 'activate' }), 'activate-reply');
    expect(await booted).toMatchObject({ version: V2, trial: true, valid: true });
    const trial = expectKind(await host.requestUntilAnswered({ kind: 'identify' }), 'identify-reply');
    expect(trial).toMatchObject({ runningVersion: V2, runningHash: sha(img), slotState: SlotState.Trial });
    const confirm = expectKind(await host.request({ kind: 'confirm' }), 'confirm-reply');
    expect(confirm).toEqual({ kind: 'confirm-reply', runningVersion: V2, runningHash: sha(img) });
    expect(hub.snapshot()).toMatchObject({ slotState: SlotState.Empty, running: { version: V2, hash: sha(img), valid: true } });
    // A repeated CONFIRM (its reply lost) is harmless.
    expect(expectKind(await host.request({ kind: 'confirm' }), 'confirm-reply').runningVersion).toBe(V2);
  });

  it('never lets the window run past its credits (no Busy NAK) with a small frame size', async () => {
    hub = makeHub();
    host = hostFor(hub);
    await host.connect(300);
    await host.transfer(image(V2));
    expect(host.replies.filter((r) => r.kind === 'error')).toEqual([]);
    expect(hub.snapshot().committedOffset).toBe(image(V2).length);
  });
});
