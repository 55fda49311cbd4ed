import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { SlotState } from '../../../protocol/messages/index.ts';
import { makeTestIdentity, type SimulatedHub } from '../../../simulators/index.ts';
import { hostFor, image, makeHub, sha, V2 } from '../helpers/fixture.ts';
import type { TestHost } from '../helpers/testHost.ts';

const img = image(V2);
const dirs: string[] = [];
const open: Array<{ hub: SimulatedHub; host?: TestHost }> = [];
afterEach(() => {
  for (const o of open.splice(0)) {
    o.host?.close();
    o.hub.close();
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function stateDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'hubflash-sim-test-'));
  dirs.push(d);
  return d;
}

function start(dir: string, identityIndex = 0): { hub: SimulatedHub; host: TestHost } {
  const hub = makeHub({ stateDir: dir, identity: makeTestIdentity(identityIndex) });
  const o = { hub, host: hostFor(hub) };
  open.push(o);
  return o;
}

function expectCorrupt(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isHubflashError(caught, ErrorCode.SimStateCorrupt), String(caught)).toBe(true);
}

describe('hub state in a folder', () => {
  it('brings back the same hub: identity and committed flash, so a transfer resumes', async () => {
    const dir = stateDir();
    const first = start(dir, 3);
    await first.host.connect();
    await first.host.request({ kind: 'begin', imageHash: sha(img), size: img.length, version: V2, signature: img.subarray(-64) });
    first.host.send({ kind: 'write', offset: 0, data: img.subarray(0, 4096) });
    first.host.send({ kind: 'write', offset: 4096, data: img.subarray(4096, 8192) });
    first.host.send({ kind: 'write', offset: 8192, data: img.subarray(8192, 9000) });
    await first.host.request({ kind: 'status' });
    expect(first.hub.snapshot()).toMatchObject({ committedOffset: 8192, receivedOffset: 9000 });
    first.hub.close();

    // Another identity is asked for, but the folder's hub is hub 3: it keeps its own.
    const second = start(dir, 7);
    expect(second.hub.identity).toEqual(makeTestIdentity(3));
    expect(second.hub.snapshot()).toMatchObject({ slotState: SlotState.Receiving, committedOffset: 8192, receivedOffset: 8192, stagedHash: sha(img) });
    await second.host.connect();
    expect(await second.host.transfer(img)).toMatchObject({ resumeOffset: 8192 });
    await second.host.request({ kind: 'activate' });
    await second.host.requestUntilAnswered({ kind: 'identify' });
    await second.host.request({ kind: 'confirm' });
    second.hub.close();

    const third = start(dir);
    expect(third.hub.snapshot().running).toMatchObject({ version: V2, hash: sha(img), valid: true });
    expect(await third.host.request({ kind: 'identify' })).toMatchObject({ chfId: makeTestIdentity(3).chfId, runningVersion: V2 });
  });

  it('saves at a power cut, not only on close', async () => {
    const dir = stateDir();
    const { hub, host } = start(dir);
    await host.connect();
    await host.request({ kind: 'begin', imageHash: sha(img), size: img.length, version: V2, signature: img.subarray(-64) });
    hub.powerCut();
    const again = start(dir);
    expect(again.hub.snapshot()).toMatchObject({ stagedHash: sha(img), slotState: SlotState.Receiving, committedOffset: 0 });
    // The count carried over (the new life then erases block 0 again, before its data comes).
    expect(again.hub.snapshot().flashOps).toBeGreaterThan(hub.snapshot().flashOps);
  });

  it('refuses a folder whose settings or slots are damaged (SimStateCorrupt)', () => {
    const dir = stateDir();
    start(dir).hub.close();
    writeFileSync(path.join(dir, 'slot1.bin'), Buffer.alloc(100));
    expectCorrupt(() => makeHub({ stateDir: dir }));
    writeFileSync(path.join(dir, 'settings.json'), '{"format":1,"opCount":-3}');
    expectCorrupt(() => makeHub({ stateDir: dir }));
    writeFileSync(path.join(dir, 'identity.json'), '{"chfId":"nope"}');
    expectCorrupt(() => makeHub({ stateDir: dir }));
  });
});
