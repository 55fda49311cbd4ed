import { beforeAll, describe, expect, it } from 'vitest';
import { createTransport, Link } from '../../agent/index.ts';
import { ErrorCode, isHubflashError } from '../../protocol/errors/index.ts';
import { writeDataBytes } from '../../protocol/messages/index.ts';
import type { SimulatedHub } from '../../simulators/index.ts';
import { cleanupList, makeFirmware, makeHub, memoryPort, type Firmware } from './fixtures.ts';

let fw: Firmware;
beforeAll(() => {
  fw = makeFirmware(32 * 1024);
});

const cleanups = cleanupList();

async function linkTo(hub: SimulatedHub, maxFrame?: number): Promise<Link> {
  await hub.powerOn();
  const mem = memoryPort(hub);
  const link = new Link(createTransport(mem.port), maxFrame ? { maxFrame } : {});
  cleanups.push(() => {
    mem.close();
    hub.close();
  });
  await link.open();
  return link;
}

describe('Link over a simulated hub', () => {
  it('CONNECT agrees the smaller frame size and reports the receive buffers', async () => {
    const link = await linkTo(makeHub(fw, 0, { maxFrame: 1024 }), 2048);
    const reply = await link.connect();
    expect(reply.maxFrame).toBe(1024);
    expect(link.maxFrame).toBe(1024);
    expect(reply.credits).toBeGreaterThanOrEqual(2);
  });

  it('matches each reply to its request and decodes IDENTIFY', async () => {
    const hub = makeHub(fw, 3);
    const link = await linkTo(hub);
    await link.connect();
    const [id, status] = await Promise.all([link.request({ kind: 'identify' }), link.request({ kind: 'status' })]);
    expect(id.chfId).toBe(hub.identity.chfId);
    expect(id.gpfId).toBe(hub.identity.gpfId);
    expect(status.kind).toBe('status-reply');
  });

  it('turns an ERROR reply into its HubflashError', async () => {
    const link = await linkTo(makeHub(fw, 0));
    await link.connect();
    const err = await link.request({ kind: 'verify' }).catch((e: unknown) => e);
    expect(isHubflashError(err, ErrorCode.DeviceBadState)).toBe(true);
  });

  it('retries a request that gets no reply with a new sequence number, then gives LinkTimeout', async () => {
    const hub = makeHub(fw, 0);
    const link = await linkTo(hub);
    await link.connect();
    hub.powerCut();
    const before = link.stats.framesSent;
    const err = await link.request({ kind: 'status' }, { retries: 2, timeoutMs: 30 }).catch((e: unknown) => e);
    expect(isHubflashError(err, ErrorCode.LinkTimeout)).toBe(true);
    expect(link.stats.framesSent - before).toBe(3);
  });

  it('reports a NAK with the offset the hub expects when a WRITE leaves a gap', async () => {
    const link = await linkTo(makeHub(fw, 0));
    await link.connect();
    const img = fw.image;
    await link.request({ kind: 'begin', imageHash: img.sha256, size: img.size, version: img.version, signature: img.signature });
    const nak = new Promise<number>((resolve) => link.once('nak', (expected) => resolve(expected)));
    const d = writeDataBytes(link.maxFrame);
    link.sendWrites([{ offset: d, data: img.bytes.subarray(d, 2 * d) }]);
    expect(await nak).toBe(0);
    const ack = new Promise<number>((resolve) => link.once('write-ack', (a) => resolve(a.receivedOffset)));
    link.sendWrites([{ offset: 0, data: img.bytes.subarray(0, d) }]);
    expect(await ack).toBe(d);
  });

  it('fails pending requests with LinkClosed when the line goes away', async () => {
    const hub = makeHub(fw, 0);
    await hub.powerOn();
    const mem = memoryPort(hub);
    cleanups.push(() => hub.close());
    const link = new Link(createTransport(mem.port));
    await link.open();
    await link.connect();
    hub.powerCut();
    // A deadline far beyond the test's own limit: only the close can end the request in time.
    const pending = link.request({ kind: 'status' }, { timeoutMs: 60_000 }).catch((e: unknown) => e);
    const closed = new Promise((resolve) => link.once('close', resolve));
    mem.close();
    expect(isHubflashError(await pending, ErrorCode.LinkClosed)).toBe(true);
    await closed;
  });
});
