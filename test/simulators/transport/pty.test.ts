import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameDecoder } from '../../../protocol/framing/index.ts';
import { decodeMessage, encodeMessage, PROTOCOL_VERSION, type Reply } from '../../../protocol/messages/index.ts';
import { fastTiming, openPtyHub, type PtyHub, type SimulatedHub } from '../../../simulators/index.ts';
import { makeHub, once, V1 } from '../helpers/fixture.ts';

let hub: SimulatedHub;
let pty: PtyHub;
const ports: SerialPort[] = [];
afterEach(async () => {
  for (const p of ports.splice(0)) if (p.isOpen) await new Promise((r) => p.close(r));
  await pty?.close();
  hub?.close();
});

async function openPort(path: string): Promise<{ port: SerialPort; replies: Reply[] }> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  ports.push(port);
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const replies: Reply[] = [];
  const decoder = new FrameDecoder({
    maxFrame: 4107,
    onFrame: (f) => {
      const d = decodeMessage(f);
      if (d.ok) replies.push(d.message as Reply);
    },
  });
  port.on('data', (chunk: Buffer) => decoder.push(chunk));
  return { port, replies };
}

async function connectAndIdentify(path: string): Promise<{ port: SerialPort; replies: Reply[] }> {
  const { port, replies } = await openPort(path);
  port.write(encodeMessage({ kind: 'connect', protocolVersion: PROTOCOL_VERSION, maxFrame: 4107 }, 0));
  port.write(encodeMessage({ kind: 'identify' }, 1));
  const end = Date.now() + 5000;
  while (replies.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  return { port, replies };
}

describe('a hub on a pseudo-terminal, opened with the real serialport', () => {
  it('completes CONNECT and IDENTIFY', async () => {
    hub = makeHub();
    pty = await openPtyHub(hub, { ...fastTiming().link, baud: 921_600, latencyMs: 2 });
    expect(pty.path).toMatch(/^\/dev\/pts\/\d+$/);
    const { replies } = await connectAndIdentify(pty.path);
    expect(replies).toMatchObject([
      { kind: 'connect-reply', maxFrame: 4107 },
      { kind: 'identify-reply', chfId: hub.identity.chfId, runningVersion: V1 },
    ]);
  });

  it('carries every byte value both ways', async () => {
    hub = makeHub();
    pty = await openPtyHub(hub, fastTiming().link);
    const { port, replies } = await openPort(pty.path);
    // A WRITE whose payload holds all 256 values, answered with BadState (no image): proves the
    // frame arrived intact; the reply's CRC proves the way back.
    const data = Uint8Array.from({ length: 256 }, (_, i) => i);
    port.write(encodeMessage({ kind: 'write', offset: 0, data }, 5));
    const end = Date.now() + 5000;
    while (replies.length < 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    expect(replies).toMatchObject([{ kind: 'error', requestType: 0x11, code: 6 }]);
  });

  it('disconnects (the host port closes) and re-enumerates on a new path that works', async () => {
    hub = makeHub();
    pty = await openPtyHub(hub, fastTiming().link);
    const first = pty.path;
    // A port in use (it has read replies), as when a cable is pulled mid-session.
    const { port, replies: before } = await connectAndIdentify(first);
    expect(before).toHaveLength(2);
    const gone = new Promise<void>((resolve) => {
      port.once('close', () => resolve());
      port.once('error', () => resolve());
    });
    pty.disconnect();
    await gone;
    const reenumerated = once<string>(pty, 'reenumerated');
    const next = await pty.reenumerate();
    expect(await reenumerated).toBe(next);
    expect(next).not.toBe(first);
    const { replies } = await connectAndIdentify(next);
    expect(replies.map((r) => r.kind)).toEqual(['connect-reply', 'identify-reply']);
  });
});
