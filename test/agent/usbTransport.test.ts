import { describe, expect, it } from 'vitest';
import { createTransport, portName, UsbTransport } from '../../agent/index.ts';
import { ErrorCode, isHubflashError, type HubflashError } from '../../protocol/errors/index.ts';
import { createUsbDevice, SimulatedUsb, type SimulatedUsbDevice } from '../../simulators/index.ts';
import { connectOver, nextClose, transportSuite } from './transportHelpers.ts';
import { makeHub } from './fixtures.ts';

// UsbTransport over the simulated WebUSB device: opening, closing, a quiet hub, and how an
// unplugged device shows up.

const { firmware, cleanups } = transportSuite();

let nextHub = 950;
async function usbHub(opts: Parameters<typeof createUsbDevice>[1] = {}): Promise<SimulatedUsbDevice> {
  const hub = makeHub(firmware(), nextHub++);
  await hub.powerOn();
  cleanups.push(() => hub.close());
  return createUsbDevice(hub, opts);
}

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('UsbTransport over a simulated WebUSB device', () => {
  it('an IN transfer that times out on a quiet hub is renewed: the transport stays open and hears later replies', async () => {
    const device = await usbHub({ transferTimeoutMs: 10 });
    let timeouts = 0;
    const transferIn = device.transferIn.bind(device);
    device.transferIn = (endpoint, length, timeoutMs) =>
      transferIn(endpoint, length, timeoutMs).catch((err: unknown) => {
        if ((err as Error).name === 'TimeoutError') timeouts++;
        throw err;
      });
    const transport = new UsbTransport(device);
    await transport.open();
    cleanups.push(() => transport.close());
    await until(() => timeouts >= 3 || !transport.isOpen, 'three quiet IN transfers');
    expect(transport.isOpen).toBe(true);
    expect(await connectOver(transport)).toBe(1);
  });

  it('an unplugged device closes the transport with LinkClosed naming it; writes then fail LinkClosed', async () => {
    const device = await usbHub();
    const usb = new SimulatedUsb();
    usb.plug(device);
    const transport = createTransport({ kind: 'usb', device });
    await transport.open();
    expect(await connectOver(transport)).toBe(1);
    const closed = nextClose(transport);
    usb.unplug(device);
    const error = await closed;
    expect(isHubflashError(error, ErrorCode.LinkClosed)).toBe(true);
    expect(error!.message).toContain(`${transport.info.name}: the USB device stopped answering`);
    expect(error!.context).toEqual({ port: transport.info.name });
    expect(transport.isOpen).toBe(false);
    const failed = await transport.write(Uint8Array.of(0)).catch((e: unknown) => e);
    expect(isHubflashError(failed, ErrorCode.LinkClosed)).toBe(true);
  });

  it('a write the device refuses because it was just unplugged is LinkClosed, not a raw USB error', async () => {
    const device = await usbHub();
    const transport = new UsbTransport(device);
    await transport.open();
    device.disconnect();
    const failed = await transport.write(Uint8Array.of(0, 1)).catch((e: unknown) => e);
    expect(isHubflashError(failed, ErrorCode.LinkClosed)).toBe(true);
    expect((failed as HubflashError).message).toContain('the USB device stopped answering');
  });

  it('a write before open is LinkClosed; opening a device already unplugged is PortOpenFailed naming it', async () => {
    const device = await usbHub();
    const transport = new UsbTransport(device);
    const early = await transport.write(Uint8Array.of(0)).catch((e: unknown) => e);
    expect(isHubflashError(early, ErrorCode.LinkClosed)).toBe(true);
    expect((early as HubflashError).message).toContain(`${transport.info.name}: the port closed`);
    device.disconnect();
    const err = await transport.open().catch((e: unknown) => e);
    expect(isHubflashError(err, ErrorCode.PortOpenFailed)).toBe(true);
    expect((err as HubflashError).message).toContain(`Cannot open ${transport.info.name}`);
    expect(transport.isOpen).toBe(false);
  });

  it('a close asked for emits one close without an error, closes the device, and the transport opens again', async () => {
    const device = await usbHub();
    const transport = new UsbTransport(device);
    await transport.open();
    expect(device.opened).toBe(true);
    const events: Array<HubflashError | undefined> = [];
    transport.on('close', (e) => events.push(e));
    await transport.close();
    await transport.close();
    expect(events).toEqual([undefined]);
    expect(device.opened).toBe(false);
    expect(transport.isOpen).toBe(false);
    await transport.open();
    cleanups.push(() => transport.close());
    expect(await connectOver(transport)).toBe(1);
  });

  it('is named by vendor and product ID in four hex digits, with the serial number when the device has one', async () => {
    const device = await usbHub({ vendorId: 0x0483, productId: 0x5740, serialNumber: 'AB12' });
    expect(portName({ kind: 'usb', device })).toBe('usb:0483:5740:AB12');
    expect(portName({ kind: 'usb', device: await usbHub({ serialNumber: '' }) })).toBe('usb:1209:4846');
    expect(new UsbTransport(device).info).toEqual({ kind: 'usb', name: 'usb:0483:5740:AB12', bytesPerSecond: 1_000_000, latencyMs: 1 });
  });
});
