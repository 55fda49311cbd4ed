import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTransport, SerialTransport } from '../../agent/index.ts';
import { ErrorCode, isHubflashError, type HubflashError } from '../../protocol/errors/index.ts';
import { connectOver, nextClose, transportSuite } from './transportHelpers.ts';
import { makeHub, PTY_LINE, ptyHubs, tempDir } from './fixtures.ts';

// SerialTransport with the real serialport over a simulated hub's pseudo-terminal: opening,
// closing, writing when there is no port, and how a pulled cable shows up.

const { firmware, cleanups } = transportSuite();

let nextHub = 900;
async function hubOnPty() {
  const hub = makeHub(firmware(), nextHub++);
  await hub.powerOn();
  const lines = await ptyHubs([hub]);
  cleanups.push(async () => {
    await lines.close();
    hub.close();
  });
  return { hub, pty: lines.ptys[0]!, path: lines.ptys[0]!.path };
}

describe('SerialTransport over a pty', () => {
  it('a path that cannot be opened is PortOpenFailed naming the path', async () => {
    const t = tempDir('hf-serial-');
    cleanups.push(t.remove);
    const missing = path.join(t.dir, 'ttyNOPE');
    const transport = new SerialTransport({ path: missing });
    const err = await transport.open().catch((e: unknown) => e);
    expect(isHubflashError(err, ErrorCode.PortOpenFailed)).toBe(true);
    expect((err as HubflashError).message).toContain(`Cannot open ${missing}`);
    expect((err as HubflashError).context).toEqual({ port: missing });
    expect(transport.isOpen).toBe(false);
  });

  it('writes and closes before any open are refused or ignored, not thrown as TypeErrors', async () => {
    const { path: p } = await hubOnPty();
    const transport = new SerialTransport({ path: p });
    const err = await transport.write(Uint8Array.of(0)).catch((e: unknown) => e);
    expect(isHubflashError(err, ErrorCode.LinkClosed)).toBe(true);
    await transport.close();
    expect(transport.isOpen).toBe(false);
  });

  it('open is idempotent; a close asked for emits close without an error, and the port opens again', async () => {
    const { path: p } = await hubOnPty();
    const transport = new SerialTransport({ path: p, baudRate: PTY_LINE.baud });
    await transport.open();
    await transport.open();
    expect(transport.isOpen).toBe(true);
    expect(await connectOver(transport)).toBe(1);
    const closed = nextClose(transport);
    await transport.close();
    expect(await closed).toBeUndefined();
    expect(transport.isOpen).toBe(false);
    await transport.close();
    const err = await transport.write(Uint8Array.of(0)).catch((e: unknown) => e);
    expect(isHubflashError(err, ErrorCode.LinkClosed)).toBe(true);
    await transport.open();
    cleanups.push(() => transport.close());
    expect(await connectOver(transport)).toBe(1);
  });

  it('a cable pulled while the host writes closes the transport with LinkClosed naming the port, not as a close asked for', async () => {
    const { pty, path: p } = await hubOnPty();
    const transport = createTransport({ kind: 'serial', path: p, baudRate: PTY_LINE.baud });
    await transport.open();
    cleanups.push(() => transport.close());
    expect(await connectOver(transport)).toBe(1);
    const closed = nextClose(transport);
    pty.disconnect();
    // A pty's reader does not notice the hang-up; the next write does, as a flash's next WRITE would.
    const failed = await transport.write(Uint8Array.of(0, 1, 2)).catch((e: unknown) => e);
    expect(isHubflashError(failed, ErrorCode.LinkClosed)).toBe(true);
    const error = await closed;
    expect(isHubflashError(error, ErrorCode.LinkClosed)).toBe(true);
    expect(error!.message).toContain(`${p}: the port disappeared`);
    expect(error!.context).toEqual({ port: p });
    expect(transport.isOpen).toBe(false);
    const err = await transport.write(Uint8Array.of(0)).catch((e: unknown) => e);
    expect(isHubflashError(err, ErrorCode.LinkClosed)).toBe(true);
  });

  it('sizes its timeouts from the baud rate (8N1: ten bits a byte) and the adapter latency', () => {
    expect(new SerialTransport({ path: '/dev/x', baudRate: 921_600 }).info).toEqual({ kind: 'serial', name: '/dev/x', bytesPerSecond: 92_160, latencyMs: 2 });
    expect(new SerialTransport({ path: '/dev/x' }).info.bytesPerSecond).toBe(11_520);
    expect(new SerialTransport({ path: '/dev/x', latencyMs: 5 }).info.latencyMs).toBe(5);
    expect(createTransport({ kind: 'serial', path: '/dev/y', baudRate: 460_800 }).info).toMatchObject({ name: '/dev/y', bytesPerSecond: 46_080 });
  });
});
