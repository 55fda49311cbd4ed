import { beforeAll, describe, expect, it } from 'vitest';
import { flashHub, MemoryStore, Rig, runFlash, UsbDiscovery, type PortRef } from '../../agent/index.ts';
import { createUsbDevice, SimulatedUsb, type SimulatedHub } from '../../simulators/index.ts';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanupList, makeFirmware, makeHub, tempDir, type Firmware } from './fixtures.ts';

let fw: Firmware;
beforeAll(() => {
  fw = makeFirmware(96 * 1024);
});
const cleanups = cleanupList();

const HUB_USB = { vendorId: 0x1209, productId: 0x4846 };

async function hubs(n: number, first: number, faults?: Parameters<typeof makeHub>[2]): Promise<SimulatedHub[]> {
  const list = Array.from({ length: n }, (_, i) => makeHub(fw, first + i, faults));
  await Promise.all(list.map((h) => h.powerOn()));
  cleanups.push(() => list.forEach((h) => h.close()));
  return list;
}

describe('the USB path (WebUSB bulk endpoints)', () => {
  it('flashes a hub through its simulated USBDevice', async () => {
    const [hub] = await hubs(1, 600);
    const r = await flashHub({ port: { kind: 'usb', device: createUsbDevice(hub!) }, image: fw.image });
    expect(r).toMatchObject({ outcome: 'verified', bytesResent: 0, port: `usb:1209:4846:${hub!.identity.chfId.replace(/-/g, '')}` });
    expect(hub!.snapshot().running).toMatchObject({ hash: fw.image.sha256, trial: false });
  });

  it('discovers plugged hubs by vendor and product ID, with connect and disconnect events', async () => {
    const [a, b] = await hubs(2, 610);
    const usb = new SimulatedUsb();
    const other = createUsbDevice(a!, { vendorId: 0x0483, productId: 0x5740 });
    usb.plug(other);
    const d = new UsbDiscovery({ filters: [HUB_USB], usb });
    const seen: string[] = [];
    d.on('hub-port-appeared', (p: PortRef) => seen.push(`+${p.kind === 'usb' ? p.device.serialNumber : ''}`));
    d.on('hub-port-disappeared', (p: PortRef) => seen.push(`-${p.kind === 'usb' ? p.device.serialNumber : ''}`));
    const devA = createUsbDevice(a!);
    usb.plug(devA);
    await d.start();
    cleanups.push(() => d.stop());
    const devB = createUsbDevice(b!);
    usb.plug(devB);
    usb.unplug(devA);
    expect(seen).toEqual([`+${devA.serialNumber}`, `+${devB.serialNumber}`, `-${devA.serialNumber}`]);
    expect(d.current()).toHaveLength(1);
  });

  it('a hub that drops off the bus mid-flash and comes back as a new device resumes there', async () => {
    const [hub] = await hubs(1, 620, { faults: { disconnect: [{ offset: 40_000 }], reenumerateMs: 50 }, flash: { eraseMs: 1, programMs: 0.02 } });
    const usb = new SimulatedUsb();
    usb.plug(createUsbDevice(hub!));
    const d = new UsbDiscovery({ filters: [HUB_USB], usb });
    const rig = new Rig({ image: fw.image, journal: new MemoryStore(), reappearMs: 3000 });
    rig.attach(d);
    await d.start();
    cleanups.push(() => d.stop());
    const r = await rig.flash(d.current()[0]!);
    expect(r).toMatchObject({ outcome: 'verified', resumes: 1 });
    expect(r.bytesResent).toBeLessThanOrEqual(8 * 2037);
    expect(hub!.snapshot().running.hash).toBe(fw.image.sha256);
  });

  it('runFlash (the flash command) flashes the USB hubs it finds', async () => {
    const list = await hubs(2, 630);
    const usb = new SimulatedUsb();
    for (const h of list) usb.plug(createUsbDevice(h));
    const t = tempDir('hf-usb-');
    cleanups.push(t.remove);
    writeFileSync(path.join(t.dir, 'up.ota'), fw.upgrade);
    writeFileSync(path.join(t.dir, 'k.pub'), fw.key.publicKeyPem);
    const results = await runFlash({
      imagePath: path.join(t.dir, 'up.ota'),
      trustedKeyPaths: [path.join(t.dir, 'k.pub')],
      ports: [],
      usb: [HUB_USB],
      usbApi: usb,
      concurrency: 2,
      journalDir: path.join(t.dir, 'journal'),
      baudRate: 115_200,
    });
    expect(results.map((r) => r.outcome)).toEqual(['verified', 'verified']);
  });
});
