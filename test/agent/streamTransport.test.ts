import { describe, expect, it } from 'vitest';
import { createTransport, portName, StreamTransport } from '../../agent/index.ts';
import { ErrorCode, isHubflashError, type HubflashError } from '../../protocol/errors/index.ts';
import { encodeMessage } from '../../protocol/messages/index.ts';
import { makeHub, memoryPort } from './fixtures.ts';
import { connectOver, nextClose, transportSuite } from './transportHelpers.ts';

// StreamTransport over the simulator's in-memory line: a close asked for versus the stream
// ending (the cable pulled), and what a closed transport lets through.

const { firmware, cleanups } = transportSuite();

let nextHub = 980;
async function memoryHub() {
  const hub = makeHub(firmware(), nextHub++);
  await hub.powerOn();
  const mem = memoryPort(hub);
  cleanups.push(() => {
    mem.close();
    hub.close();
  });
  if (mem.port.kind !== 'stream') throw new Error('memoryPort gives a stream');
  return { mem, stream: mem.port.stream, transport: createTransport(mem.port) };
}

describe('StreamTransport over an in-memory line', () => {
  it('bytes that arrive while it is closed are not passed on; opened again, it carries replies', async () => {
    const { stream, transport } = await memoryHub();
    await transport.open();
    const heard: Uint8Array[] = [];
    transport.on('data', (chunk) => heard.push(chunk));
    const replyOnLine = new Promise((resolve) => stream.once('data', resolve));
    await transport.write(encodeMessage({ kind: 'connect', protocolVersion: 1, maxFrame: 256 }, 1));
    const closed = nextClose(transport);
    await transport.close();
    expect(await closed).toBeUndefined();
    await replyOnLine;
    expect(heard).toEqual([]);
    const failed = await transport.write(Uint8Array.of(0)).catch((e: unknown) => e);
    expect(isHubflashError(failed, ErrorCode.LinkClosed)).toBe(true);
    await transport.open();
    expect(await connectOver(transport)).toBe(1);
  });

  it('closing twice emits one close', async () => {
    const { transport } = await memoryHub();
    await transport.open();
    const events: Array<HubflashError | undefined> = [];
    transport.on('close', (e) => events.push(e));
    await transport.close();
    await transport.close();
    expect(events).toEqual([undefined]);
  });

  it('the stream ending is a pulled cable: close with LinkClosed, and it cannot be opened again', async () => {
    const { mem, transport } = await memoryHub();
    await transport.open();
    const closed = nextClose(transport);
    mem.close();
    const error = await closed;
    expect(isHubflashError(error, ErrorCode.LinkClosed)).toBe(true);
    expect(error!.message).toContain(`${transport.info.name}: the stream ended`);
    expect(transport.isOpen).toBe(false);
    const reopen = await transport.open().catch((e: unknown) => e);
    expect(isHubflashError(reopen, ErrorCode.PortOpenFailed)).toBe(true);
    const failed = await transport.write(Uint8Array.of(0)).catch((e: unknown) => e);
    expect(isHubflashError(failed, ErrorCode.LinkClosed)).toBe(true);
  });

  it('a transport made on a line that has already gone cannot be opened', async () => {
    const { mem, stream } = await memoryHub();
    const gone = new Promise((resolve) => stream.once('close', resolve));
    mem.close();
    await gone;
    const late = createTransport({ kind: 'stream', stream, name: 'mem:late' });
    const err = await late.open().catch((e: unknown) => e);
    expect(isHubflashError(err, ErrorCode.PortOpenFailed)).toBe(true);
    expect((err as HubflashError).message).toContain('Cannot open mem:late: the stream has ended');
  });

  it('a stream that ends after a close and a new open is still a pulled cable', async () => {
    const { mem, transport } = await memoryHub();
    await transport.open();
    await transport.close();
    await transport.open();
    const closed = nextClose(transport);
    mem.close();
    expect(isHubflashError(await closed, ErrorCode.LinkClosed)).toBe(true);
  });

  it('destroy() ends the line from this side: a close without an error', async () => {
    const { stream } = await memoryHub();
    const transport = new StreamTransport(stream, { name: 'mem:x' });
    await transport.open();
    const closed = nextClose(transport);
    transport.destroy();
    expect(await closed).toBeUndefined();
    expect(isHubflashError(await transport.open().catch((e: unknown) => e), ErrorCode.PortOpenFailed)).toBe(true);
  });

  it('is named and paced as its port says, "stream" when unnamed', async () => {
    const { stream } = await memoryHub();
    expect(createTransport({ kind: 'stream', stream, name: 'mem:a', bytesPerSecond: 5000, latencyMs: 3 }).info).toEqual({ kind: 'stream', name: 'mem:a', bytesPerSecond: 5000, latencyMs: 3 });
    expect(createTransport({ kind: 'stream', stream }).info).toEqual({ kind: 'stream', name: 'stream', bytesPerSecond: 1_000_000, latencyMs: 0 });
    expect(portName({ kind: 'stream', stream, name: 'mem:b' })).toBe('mem:b');
  });
});
