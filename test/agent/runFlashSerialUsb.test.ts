import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runFlash, type FlashResult, type RunFlashOptions } from '../../agent/index.ts';
import { isHubflashError } from '../../protocol/errors/index.ts';
import type { SimulatedHub } from '../../simulators/index.ts';
import { makeFirmware, makeHub, PTY_LINE, PTY_USB_ID, ptyHubs, tempDir, type Firmware } from './fixtures.ts';

// `hubflash flash --serial-usb VID:PID`: the cradles' adapters are found by USB ID, and a hub
// pulled mid-flash is followed onto whichever of their ports it comes back on.

let fw: Firmware;
beforeAll(() => {
  fw = makeFirmware(160 * 1024);
});
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const WINDOW = 8 * 2037;

async function setUp(hubs: SimulatedHub[]) {
  await Promise.all(hubs.map((h) => h.powerOn()));
  const lines = await ptyHubs(hubs);
  const t = tempDir('hf-serial-usb-');
  writeFileSync(path.join(t.dir, 'up.ota'), fw.upgrade);
  writeFileSync(path.join(t.dir, 'k.pub'), fw.key.publicKeyPem);
  cleanups.push(async () => {
    await lines.close();
    for (const h of hubs) h.close();
    t.remove();
  });
  const options = (more: Partial<RunFlashOptions>): RunFlashOptions => ({
    imagePath: path.join(t.dir, 'up.ota'),
    trustedKeyPaths: [path.join(t.dir, 'k.pub')],
    ports: [],
    serialUsb: [PTY_USB_ID],
    listSerialPorts: lines.list,
    rescanMs: 20,
    reappearMs: 5000,
    concurrency: 4,
    journalDir: path.join(t.dir, 'journal'),
    baudRate: PTY_LINE.baud,
    ...more,
  });
  return { lines, dir: t.dir, options };
}

describe('runFlash with --serial-usb', () => {
  it('flashes every hub on a port with the IDs, and follows one pulled mid-flash onto a new port', async () => {
    const hubs = [makeHub(fw, 70, { flash: { eraseMs: 2, programMs: 0.05 } }), makeHub(fw, 71)];
    const { lines, options } = await setUp(hubs);
    const pty = lines.ptys[0]!;
    const oldPath = pty.path;
    let moved: Promise<string> | undefined;
    const results = await runFlash(
      options({
        onProgress: (p) => {
          if (!moved && p.chfId === hubs[0]!.identity.chfId && p.committedOffset > 60_000) moved = pty.reenumerate();
        },
      }),
    );
    const newPath = await moved!;
    expect(newPath).not.toBe(oldPath);
    const byHub = new Map(results.map((r) => [r.hub?.chfId, r]));
    expect(results).toHaveLength(2);
    expect(byHub.get(hubs[0]!.identity.chfId)).toMatchObject({ outcome: 'verified', port: newPath, resumes: 1 });
    expect(byHub.get(hubs[0]!.identity.chfId)!.bytesResent).toBeLessThanOrEqual(WINDOW);
    expect(byHub.get(hubs[1]!.identity.chfId)).toMatchObject({ outcome: 'verified', port: lines.ptys[1]!.path, resumes: 0 });
    for (const h of hubs) expect(h.snapshot().running).toMatchObject({ hash: fw.image.sha256, trial: false });
  });

  it('flashes a hub given by --port under another name (a by-id link) once, not twice', async () => {
    const hubs = [makeHub(fw, 72), makeHub(fw, 73)];
    const { lines, dir, options } = await setUp(hubs);
    const byId = path.join(dir, 'usb-cradle_A-if00-port0');
    symlinkSync(lines.ptys[0]!.path, byId);
    const results = await runFlash(options({ ports: [byId] }));
    expect(results.map((r: FlashResult) => [r.port, r.outcome])).toEqual([
      [byId, 'verified'],
      [lines.ptys[1]!.path, 'verified'],
    ]);
    expect(hubs.map((h) => h.snapshot().running.hash)).toEqual([fw.image.sha256, fw.image.sha256]);
  });

  it('says so with a code when no port has the IDs and no --port is given', async () => {
    const hubs = [makeHub(fw, 74)];
    const { options } = await setUp(hubs);
    const error = await runFlash(options({ serialUsb: [{ vendorId: 0x0403, productId: 0x6015 }] })).catch((e: unknown) => e);
    expect(isHubflashError(error)).toBe(true);
    expect(error).toMatchObject({ codeName: 'RigOptionInvalid', message: expect.stringContaining('--serial-usb') });
    expect(hubs[0]!.snapshot().flashOps).toBe(0);
  });
});
