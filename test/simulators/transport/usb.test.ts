import { afterEach, describe, expect, it } from 'vitest';
import { FrameDecoder } from '../../../protocol/framing/index.ts';
import { decodeMessage, encodeMessage, PROTOCOL_VERSION, type Reply } from '../../../protocol/messages/index.ts';
import { BULK_IN, BULK_OUT, createUsbDevice, HUB_INTERFACE, SimulatedUsb, type SimulatedHub } from '../../../simulators/index.ts';
import { makeHub } from '../helpers/fixture.ts';

let hub: SimulatedHub;
afterEach(() => hub?.close());

async function readReply(device: USBDevice): Promise<Reply> {
  let reply: Reply | undefined;
  const decoder = new FrameDecoder({ maxFrame: 4107, onFrame: (f) => {
    const d = decodeMessage(f);
    if (d.ok) reply = d.message as Reply;
  } });
  while (reply === undefined) {
    const r = await device.transferIn(BULK_IN, 4096);
    decoder.push(new Uint8Array(r.data!.buffer, r.data!.byteOffset, r.data!.byteLength));
  }
  return reply;
}

describe('a hub as a WebUSB device', () => {
  it('describes itself like a USB device with one vendor interface and bulk endpoints', () => {
    hub = makeHub();
    const device: USBDevice = createUsbDevice(hub, { vendorId: 0x1234, productId: 0x5678 });
    expect(device).toMatchObject({ vendorId: 0x1234, productId: 0x5678, serialNumber: '00DB125A00000000', productName: 'SIM-CH-1', manufacturerName: 'Simulated Hubs Ltd', opened: false });
    const alt = device.configuration!.interfaces[0]!.alternate;
    expect(alt.interfaceClass).toBe(0xff);
    expect(alt.endpoints).toEqual([
      { endpointNumber: 1, direction: 'in', type: 'bulk', packetSize: 64 },
      { endpointNumber: 1, direction: 'out', type: 'bulk', packetSize: 64 },
    ]);
  });

  it('carries a CONNECT / IDENTIFY round trip after open and claim', async () => {
    hub = makeHub();
    const device = createUsbDevice(hub, { latencyMs: 0 });
    await expect(device.transferOut(BULK_OUT, new Uint8Array(1))).rejects.toMatchObject({ name: 'InvalidStateError' });
    await device.open();
    await device.selectConfiguration(1);
    await expect(device.transferIn(BULK_IN, 64)).rejects.toMatchObject({ name: 'NotFoundError' });
    await device.claimInterface(HUB_INTERFACE);
    expect(device.configuration!.interfaces[0]!.claimed).toBe(true);
    const out = await device.transferOut(BULK_OUT, encodeMessage({ kind: 'connect', protocolVersion: PROTOCOL_VERSION, maxFrame: 4107 }, 1));
    expect(out.status).toBe('ok');
    expect(await readReply(device)).toMatchObject({ kind: 'connect-reply', maxFrame: 4107 });
    await device.transferOut(BULK_OUT, encodeMessage({ kind: 'identify' }, 2));
    expect(await readReply(device)).toMatchObject({ kind: 'identify-reply', chfId: hub.identity.chfId });
    await device.releaseInterface(HUB_INTERFACE);
    await device.close();
    expect(device.opened).toBe(false);
  });

  it('times out a transferIn with no data, as the usb package does', async () => {
    hub = makeHub();
    const device = createUsbDevice(hub, { transferTimeoutMs: 30 });
    await device.open();
    await device.claimInterface(0);
    await expect(device.transferIn(BULK_IN, 64)).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('hot-plugs: connect and disconnect events; unplugging rejects a pending transferIn', async () => {
    hub = makeHub();
    const usb = new SimulatedUsb();
    const events: string[] = [];
    usb.addEventListener('connect', (e) => events.push(`connect ${e.device.serialNumber}`));
    usb.addEventListener('disconnect', (e) => events.push(`disconnect ${e.device.serialNumber}`));
    const device = createUsbDevice(hub, { transferTimeoutMs: 0 });
    usb.plug(device);
    expect(await usb.getDevices()).toEqual([device]);
    await device.open();
    await device.claimInterface(0);
    const pending = device.transferIn(BULK_IN, 64);
    usb.unplug(device);
    await expect(pending).rejects.toMatchObject({ name: 'NetworkError', message: expect.stringContaining('Disconnected') });
    expect(await usb.getDevices()).toEqual([]);
    expect(events).toEqual(['connect 00DB125A00000000', 'disconnect 00DB125A00000000']);
    await expect(device.open()).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('a disconnect fault pulls an open device even outside a SimulatedUsb', async () => {
    hub = makeHub({ faults: { disconnect: [{ step: 'begin' }] } });
    const device = createUsbDevice(hub, { transferTimeoutMs: 0 });
    await device.open();
    await device.claimInterface(0);
    const pending = device.transferIn(BULK_IN, 64);
    await device.transferOut(BULK_OUT, encodeMessage({ kind: 'begin', imageHash: '00'.repeat(32), size: 100_000, version: 2, signature: new Uint8Array(64) }, 3));
    await expect(pending).rejects.toMatchObject({ name: 'NetworkError' });
    expect(device.opened).toBe(false);
  });

  it('re-enumerates as a new device after a disconnect fault, and the new device works', async () => {
    hub = makeHub({ faults: { disconnect: [{ step: 'begin' }], reenumerateMs: 5 } });
    const usb = new SimulatedUsb();
    const device = createUsbDevice(hub, { latencyMs: 0 });
    usb.plug(device);
    await device.open();
    await device.claimInterface(0);
    const reconnected = new Promise<USBDevice>((resolve) => usb.addEventListener('connect', (e) => resolve(e.device), { once: true }));
    await device.transferOut(BULK_OUT, encodeMessage({ kind: 'begin', imageHash: '00'.repeat(32), size: 100_000, version: 2, signature: new Uint8Array(64) }, 3));
    expect(device.opened).toBe(false);
    const again = await reconnected;
    expect(again).not.toBe(device);
    expect(again.serialNumber).toBe(device.serialNumber);
    await again.open();
    await again.claimInterface(0);
    await again.transferOut(BULK_OUT, encodeMessage({ kind: 'identify' }, 4));
    expect(await readReply(again)).toMatchObject({ kind: 'identify-reply' });
  });
});
