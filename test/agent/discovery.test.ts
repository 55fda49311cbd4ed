import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUsbIdFilter, portName, SerialDiscovery, UsbDiscovery, type PortRef, type SerialPortInfo } from '../../agent/index.ts';
import { ErrorCode } from '../../protocol/errors/index.ts';
import { cleanupList, tempDir } from './fixtures.ts';

const cleanups = cleanupList();

function record(d: SerialDiscovery | UsbDiscovery): { appeared: string[]; gone: string[] } {
  const seen = { appeared: [] as string[], gone: [] as string[] };
  d.on('hub-port-appeared', (p: PortRef) => seen.appeared.push(portName(p)));
  d.on('hub-port-disappeared', (p: PortRef) => seen.gone.push(portName(p)));
  return seen;
}

describe('serial discovery', () => {
  it('finds ports by USB vendor and product ID and reports them coming and going', async () => {
    let ports: SerialPortInfo[] = [
      { path: '/dev/ttyUSB0', vendorId: '0403', productId: '6015' },
      { path: '/dev/ttyUSB1', vendorId: '10c4', productId: 'ea60' },
      { path: '/dev/ttyS0' },
    ];
    const d = new SerialDiscovery({ filters: [{ vendorId: 0x0403, productId: 0x6015 }], list: async () => ports, intervalMs: 60_000 });
    const seen = record(d);
    await d.start();
    cleanups.push(() => d.stop());
    expect(seen.appeared).toEqual(['/dev/ttyUSB0']);
    ports = [{ path: '/dev/ttyUSB2', vendorId: '0403', productId: '6015' }];
    await d.poll();
    expect(seen.gone).toEqual(['/dev/ttyUSB0']);
    expect(seen.appeared).toEqual(['/dev/ttyUSB0', '/dev/ttyUSB2']);
    expect(d.current().map(portName)).toEqual(['/dev/ttyUSB2']);
  });

  it('watches explicit paths for existence', async () => {
    const t = tempDir('hf-disc-');
    cleanups.push(t.remove);
    const p = path.join(t.dir, 'ttyHUB');
    const d = new SerialDiscovery({ paths: [p], intervalMs: 60_000, baudRate: 921_600 });
    const seen = record(d);
    await d.start();
    cleanups.push(() => d.stop());
    expect(seen.appeared).toEqual([]);
    writeFileSync(p, '');
    await d.poll();
    expect(seen.appeared).toEqual([p]);
    expect(d.current()[0]).toMatchObject({ kind: 'serial', path: p, baudRate: 921_600 });
    rmSync(p);
    await d.poll();
    expect(seen.gone).toEqual([p]);
  });

  it('sees an explicit path that left and came back between two looks (a by-id link now on another device)', async () => {
    const t = tempDir('hf-disc-');
    cleanups.push(t.remove);
    const [a, b, byId] = ['ttyUSB0', 'ttyUSB1', 'usb-FTDI_cradle-if00-port0'].map((n) => path.join(t.dir, n)) as [string, string, string];
    writeFileSync(a, '');
    writeFileSync(b, '');
    symlinkSync(a, byId);
    const d = new SerialDiscovery({ paths: [byId], intervalMs: 60_000 });
    const seen = record(d);
    await d.start();
    cleanups.push(() => d.stop());
    await d.poll();
    expect(seen).toEqual({ appeared: [byId], gone: [] });
    rmSync(byId);
    symlinkSync(b, byId);
    await d.poll();
    expect(seen).toEqual({ appeared: [byId, byId], gone: [byId] });
  });

  it('parses vendor:product filters', () => {
    expect(parseUsbIdFilter('0403:6015')).toEqual({ vendorId: 0x0403, productId: 0x6015 });
    expect(parseUsbIdFilter('10C4')).toEqual({ vendorId: 0x10c4 });
    expect(parseUsbIdFilter('0403:60150')).toBeUndefined();
    expect(parseUsbIdFilter('usb')).toBeUndefined();
  });
});

describe('USB discovery', () => {
  it('on a machine with no USB bus, says so once and carries on', async () => {
    const d = new UsbDiscovery({ filters: [{ vendorId: 0x1d50 }] });
    const errors: string[] = [];
    d.on('unavailable', (e) => errors.push(`HF0${e.code}`));
    await d.start();
    d.stop();
    // This machine has no /sys/bus/usb: the real `usb` package's getDevices() rejects.
    expect(errors).toEqual([`HF0${ErrorCode.UsbUnavailable}`]);
    expect(d.current()).toEqual([]);
  });
});
