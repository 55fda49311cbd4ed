import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../protocol/framing/index.ts';
import { DEFAULT_MAX_FRAME, DeviceErrorCode, MessageType, PROTOCOL_VERSION, SlotState } from '../../../protocol/messages/index.ts';
import { closeRigs, image, repliesSince, rig, until, V2 } from '../helpers/fixture.ts';

afterEach(closeRigs);

const img = image(V2);
const SLOW_READ = { eraseMs: 0, programMs: 0, settingsWriteMs: 0, readBytesPerSec: 25_000, signatureCheckMs: 0 };

/** A frame whose CRC fails. */
function corrupt(type: MessageType): Uint8Array {
  const frame = encodeFrame({ type, seq: 77, payload: Buffer.alloc(40, 3) });
  frame[10]! ^= 0x40;
  return frame;
}

describe('which requests a long operation lets through (docs/protocol.md section 3)', () => {
  it('answers STATUS, CONNECT and a late WRITE during a long VERIFY', async () => {
    const { host } = rig({ flash: SLOW_READ });
    await host.connect();
    await host.transfer(img);
    const verifying = host.request({ kind: 'verify' });
    // All sent at once, so they reach the hub while it reads (about 0.5 s).
    const status = host.request({ kind: 'status' });
    const connect = host.request({ kind: 'connect', protocolVersion: PROTOCOL_VERSION, maxFrame: 4107 });
    const before = host.replies.length;
    host.send({ kind: 'write', offset: 0, data: img.subarray(0, 4096) });
    expect(await status).toMatchObject({ kind: 'status-reply', slotState: SlotState.Complete });
    expect(await connect).toMatchObject({ kind: 'connect-reply', maxFrame: 4107 });
    expect(await verifying).toMatchObject({ kind: 'verify-reply' });
    const writeReplies = host.replies.slice(before).filter((r) => r.kind === 'write-ack' || (r.kind === 'error' && r.requestType === MessageType.Write));
    expect(writeReplies).toMatchObject([{ kind: 'write-ack', receivedOffset: img.length, committedOffset: img.length }]);
  });
});

describe('frame size and corrupt frames', () => {
  it('goes back to DEFAULT_MAX_FRAME after a power cut, until the next CONNECT', async () => {
    const { hub, host } = rig();
    const fresh = await host.request({ kind: 'status' });
    await host.connect(4107);
    expect(await host.request({ kind: 'status' })).not.toMatchObject({ credits: (fresh as { credits: number }).credits });
    hub.powerCut();
    await hub.powerOn();
    expect(await host.request({ kind: 'status' })).toMatchObject({ credits: (fresh as { credits: number }).credits });
    expect(await host.request({ kind: 'connect', protocolVersion: PROTOCOL_VERSION, maxFrame: 100_000 })).toMatchObject({ maxFrame: 4107 });
    expect(DEFAULT_MAX_FRAME).toBe(256);
  });

  it('NAKs a frame that passes its CRC but does not decode while receiving (BadCrc, expected offset)', async () => {
    const { host: host } = rig();
    await host.connect();
    await host.request({ kind: 'begin', imageHash: 'aa'.repeat(32), size: img.length, version: V2, signature: img.subarray(-64) });
    const before = host.replies.length;
    host.stream.write(encodeFrame({ type: MessageType.Write, seq: 5, payload: new Uint8Array(2) }));
    expect(await repliesSince(host, before)).toMatchObject([{ kind: 'error', requestType: MessageType.Write, code: DeviceErrorCode.BadCrc, arg: 0 }]);
  });

  it('does not NAK a corrupt frame once the image is complete: nothing is being received', async () => {
    const { host } = rig();
    await host.connect();
    await host.transfer(img);
    const before = host.replies.length;
    host.stream.write(corrupt(MessageType.Write));
    expect(await repliesSince(host, before)).toEqual([]);
  });
});

describe('receive buffers and the state folder', () => {
  it('grants the RAM buffer over the data per WRITE, rounded down, but always one block plus one frame', async () => {
    const { host } = rig({ bufferBytes: 4096 });
    expect(await host.connect(4107)).toMatchObject({ maxFrame: 4107, credits: 2 }); // 1 by RAM; a block (1 WRITE) + 1
    expect(await host.connect(1035)).toMatchObject({ credits: 5 }); // 4 by RAM; a block (4) + 1
    const other = rig({ bufferBytes: 10_000 }).host;
    expect(await other.connect(1035)).toMatchObject({ credits: 9 }); // 10 000 / 1024 rounded down
  });

  it('saves the state folder soon after a durable change, without a power cut or close', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hubflash-sim-test-'));
    try {
      const { host } = rig({ stateDir: dir });
      await host.connect();
      const hash = 'ab'.repeat(32);
      await host.request({ kind: 'begin', imageHash: hash, size: img.length, version: V2, signature: img.subarray(-64) });
      const settings = path.join(dir, 'settings.json');
      await until(() => existsSync(settings) && readFileSync(settings, 'utf8').includes(hash), 3000, 'the BEGIN saved');
    } finally {
      closeRigs();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
