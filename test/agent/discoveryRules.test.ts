import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MergedDiscovery, parseUsbIdFilter, portName, runFlash, SerialDiscovery, UsbDiscovery, type Discovery, type PortRef, type SerialPortInfo } from '../../agent/index.ts';
import { ErrorCode, isHubflashError, type HubflashError } from '../../protocol/errors/index.ts';
import { createUsbDevice, SimulatedUsb } from '../../simulators/index.ts';
import { cleanupList, makeFirmware, makeHub, tempDir } from './fixtures.ts';

// Which ports discovery takes for hubs, what it says when it cannot look, and that it stops.

const cleanups = cleanupList();

function record(d: Discovery): { appeared: string[]; gone: string[] } {
  const seen = { appeared: [] as string[], gone: [] as string[] };
  d.on('hub-port-appeared', (p: PortRef) => seen.appeared.push(portName(p)));
  d.on('hub-port-disappeared', (p: PortRef) => seen.gone.push(portName(p)));
  return seen;
}

/** Runs `body` with a PATH holding no `udevadm`, as on a machine that cannot list serial ports. */
async function withoutUdevadm<T>(body: () => Promise<T>): Promise<T> {
  const t = tempDir('hf-nopath-');
  const saved = process.env.PATH;
  process.env.PATH = t.dir;
  try {
    return await body();
  } finally {
    process.env.PATH = saved;
    t.remove();
  }
}

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function usbHubs() {
  const fw = makeFirmware(8 * 1024);
  const hubs = [makeHub(fw, 990), makeHub(fw, 991)];
  cleanups.push(() => hubs.forEach((h) => h.close()));
  return hubs;
}

describe('serial discovery rules', () => {
  it('a filter with a product ID takes only that product; one without takes every product of the vendor', async () => {
    const ports: SerialPortInfo[] = [
      { path: '/dev/ttyUSB0', vendorId: '0403', productId: '6015', serialNumber: 'FT1' },
      { path: '/dev/ttyUSB1', vendorId: '0403', productId: '6001' },
      { path: '/dev/ttyUSB2', vendorId: '10C4', productId: 'EA60' },
      { path: '/dev/ttyUSB3', vendorId: '0x10c4', productId: 'ea60' },
      { path: '/dev/ttyS0' },
    ];
    const exact = new SerialDiscovery({ filters: [{ vendorId: 0x0403, productId: 0x6015 }], list: async () => ports, intervalMs: 60_000 });
    await exact.poll();
    expect(exact.current()).toEqual([{ kind: 'serial', path: '/dev/ttyUSB0', vendorId: '0403', productId: '6015', serialNumber: 'FT1' }]);
    // Upper- or lower-case hex both match; an ID not written as 1-4 hex digits matches nothing.
    const anyProduct = new SerialDiscovery({ filters: [{ vendorId: 0x0403 }, { vendorId: 0x10c4 }], list: async () => ports, intervalMs: 60_000 });
    await anyProduct.poll();
    expect(anyProduct.current().map(portName)).toEqual(['/dev/ttyUSB0', '/dev/ttyUSB1', '/dev/ttyUSB2']);
  });

  it('a listing that fails is logged and passed over: explicit paths are still watched', async () => {
    const t = tempDir('hf-disc-');
    cleanups.push(t.remove);
    const p = path.join(t.dir, 'ttyHUB');
    writeFileSync(p, '');
    const d = new SerialDiscovery({ filters: [{ vendorId: 0x0403 }], paths: [p], list: () => Promise.reject(new Error('udev went away')), intervalMs: 60_000 });
    const seen = record(d);
    await d.start();
    cleanups.push(() => d.stop());
    await d.poll();
    expect(seen).toEqual({ appeared: [p], gone: [] });
  });

  it('where ports cannot be listed (no udevadm) it says so once with HF0508 and still watches explicit paths', async () => {
    const t = tempDir('hf-disc-');
    cleanups.push(t.remove);
    const p = path.join(t.dir, 'ttyHUB');
    writeFileSync(p, '');
    const d = new SerialDiscovery({ filters: [{ vendorId: 0x0403 }], paths: [p], intervalMs: 60_000 });
    const unavailable: HubflashError[] = [];
    d.on('unavailable', (e) => unavailable.push(e));
    const seen = record(d);
    await withoutUdevadm(async () => {
      await d.start();
      await d.poll();
    });
    d.stop();
    expect(unavailable.map((e) => e.code)).toEqual([ErrorCode.SerialListUnavailable]);
    expect(unavailable[0]!.message).toMatch(/--port/);
    expect(seen.appeared).toEqual([p]);
  });

  it('a by-id path that moved to another device is reported once, not again at every later look', async () => {
    const t = tempDir('hf-disc-');
    cleanups.push(t.remove);
    const [a, b, byId] = ['ttyUSB0', 'ttyUSB1', 'by-id-cradle'].map((n) => path.join(t.dir, n)) as [string, string, string];
    writeFileSync(a, '');
    writeFileSync(b, '');
    symlinkSync(a, byId);
    const d = new SerialDiscovery({ paths: [byId], intervalMs: 60_000 });
    const seen = record(d);
    await d.poll();
    rmSync(byId);
    symlinkSync(b, byId);
    await d.poll();
    await d.poll();
    await d.poll();
    expect(seen).toEqual({ appeared: [byId, byId], gone: [byId] });
  });

  it('stop() ends the polling', async () => {
    let stoppedLooks = 0;
    let runningLooks = 0;
    const stopped = new SerialDiscovery({ filters: [{ vendorId: 0x0403 }], list: async () => (stoppedLooks++, []), intervalMs: 5 });
    const running = new SerialDiscovery({ filters: [{ vendorId: 0x0403 }], list: async () => (runningLooks++, []), intervalMs: 5 });
    await stopped.start();
    stopped.stop();
    const after = stoppedLooks;
    await running.start();
    cleanups.push(() => running.stop());
    await until(() => runningLooks >= 6, 'six looks by the running discovery');
    expect(stoppedLooks).toBe(after);
  });

  it('parses filters with spaces around them', () => {
    expect(parseUsbIdFilter(' 0403:6015\n')).toEqual({ vendorId: 0x0403, productId: 0x6015 });
    expect(parseUsbIdFilter('403:6015')).toBeUndefined();
  });
});

describe('USB discovery rules', () => {
  it('a device it never took for a hub leaving says nothing; after stop() nothing is reported', async () => {
    const [a, b] = usbHubs();
    await Promise.all([a!.powerOn(), b!.powerOn()]);
    const usb = new SimulatedUsb();
    const other = createUsbDevice(a!, { vendorId: 0x0483, productId: 0x5740 });
    usb.plug(other);
    const d = new UsbDiscovery({ filters: [{ vendorId: 0x1209, productId: 0x4846 }], usb });
    const seen = record(d);
    await d.start();
    usb.unplug(other);
    expect(seen).toEqual({ appeared: [], gone: [] });
    const hub = createUsbDevice(b!);
    usb.plug(hub);
    expect(seen.appeared).toEqual([portName({ kind: 'usb', device: hub })]);
    d.stop();
    usb.unplug(hub);
    usb.plug(createUsbDevice(a!));
    expect(seen).toEqual({ appeared: [portName({ kind: 'usb', device: hub })], gone: [] });
  });
});

describe('merged discovery', () => {
  it('passes on every part’s events and ports; a part that cannot work leaves the others working', async () => {
    const [a] = usbHubs();
    await a!.powerOn();
    const usb = new SimulatedUsb();
    const device = createUsbDevice(a!);
    usb.plug(device);
    let listed: SerialPortInfo[] = [{ path: '/dev/ttyUSB0', vendorId: '0403', productId: '6015' }];
    const serial = new SerialDiscovery({ filters: [{ vendorId: 0x0403 }], list: async () => listed, intervalMs: 60_000 });
    const unlistable = new SerialDiscovery({ filters: [{ vendorId: 0x0403 }], intervalMs: 60_000 });
    const d = new MergedDiscovery([unlistable, serial, new UsbDiscovery({ filters: [{ vendorId: 0x1209 }], usb })]);
    const seen = record(d);
    const unavailable: number[] = [];
    d.on('unavailable', (e) => unavailable.push(e.code));
    await withoutUdevadm(() => d.start());
    cleanups.push(() => d.stop());
    const usbName = portName({ kind: 'usb', device });
    expect(unavailable).toEqual([ErrorCode.SerialListUnavailable]);
    expect(d.current().map(portName).sort()).toEqual(['/dev/ttyUSB0', usbName].sort());
    listed = [];
    await serial.poll();
    usb.unplug(device);
    expect(seen.gone.sort()).toEqual(['/dev/ttyUSB0', usbName].sort());
    expect(d.current()).toEqual([]);
  });
});

describe('runFlash --serial-usb where ports cannot be listed', () => {
  it('fails with HF0508 rather than carrying on with only the --port paths', async () => {
    const fw = makeFirmware(8 * 1024);
    const t = tempDir('hf-disc-');
    cleanups.push(t.remove);
    writeFileSync(path.join(t.dir, 'up.ota'), fw.upgrade);
    writeFileSync(path.join(t.dir, 'k.pub'), fw.key.publicKeyPem);
    const given = path.join(t.dir, 'ttyGIVEN');
    writeFileSync(given, '');
    const error = await withoutUdevadm(() =>
      runFlash({
        imagePath: path.join(t.dir, 'up.ota'),
        trustedKeyPaths: [path.join(t.dir, 'k.pub')],
        ports: [given],
        serialUsb: [{ vendorId: 0x0403, productId: 0x6015 }],
        concurrency: 1,
        journalDir: path.join(t.dir, 'journal'),
        baudRate: 115_200,
      }),
    ).catch((e: unknown) => e);
    expect(isHubflashError(error, ErrorCode.SerialListUnavailable)).toBe(true);
  });
});
