import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Journal, Rig, SerialDiscovery, type PortRef } from '../../agent/index.ts';
import type { SimulatedHub } from '../../simulators/index.ts';
import { makeFirmware, makeHub, PTY_LINE, PTY_USB_ID, ptyHubs, tempDir, type Firmware } from './fixtures.ts';

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
  const discovery = new SerialDiscovery({ filters: [PTY_USB_ID], list: lines.list, intervalMs: 20, baudRate: PTY_LINE.baud });
  const t = tempDir('hf-moved-');
  const journal = await Journal.open(t.dir);
  cleanups.push(async () => {
    discovery.stop();
    await lines.close();
    for (const h of hubs) h.close();
    await journal.close();
    t.remove();
  });
  return { lines, discovery, journal };
}

describe('a hub moved to another port mid-flash', () => {
  it('is found on its new port by its CHF ID and resumes from its offset', async () => {
    const hub = makeHub(fw, 40, { flash: { eraseMs: 2, programMs: 0.05 } });
    const { lines, discovery, journal } = await setUp([hub]);
    const rig = new Rig({ image: fw.image, journal, reappearMs: 5000 });
    rig.attach(discovery);
    await discovery.start();
    const pty = lines.ptys[0]!;
    const oldPath = pty.path;
    let moved: Promise<string> | undefined;
    rig.on('progress', (p) => {
      if (!moved && p.committedOffset > 60_000) moved = pty.reenumerate();
    });
    const events: string[] = [];
    rig.on('hub-waiting', (w) => events.push(`waiting ${w.port}`));
    rig.on('hub-resumed', (w) => events.push(`resumed ${w.port}`));
    const result = await rig.flash(lines.ports[0]!);
    const newPath = await moved!;
    expect(newPath).not.toBe(oldPath);
    expect(events).toEqual([`waiting ${oldPath}`, `resumed ${newPath}`]);
    expect(result).toMatchObject({ outcome: 'verified', port: newPath, resumes: 1 });
    expect(result.bytesResent).toBeLessThanOrEqual(WINDOW);
    expect(hub.snapshot().running).toMatchObject({ hash: fw.image.sha256, trial: false });
  });

  it('another hub on the new port is not taken for it', async () => {
    const moving = makeHub(fw, 41, { flash: { eraseMs: 2, programMs: 0.05 } });
    const stranger = makeHub(fw, 42);
    const { lines, journal } = await setUp([moving, stranger]);
    const rig = new Rig({ image: fw.image, journal, reappearMs: 600 });
    const appeared: string[] = [];
    rig.on('hub-appeared', (a) => appeared.push(a.hub.chfId));
    rig.on('progress', (p) => {
      if (p.committedOffset > 60_000 && lines.ptys[0]!.connected) {
        lines.ptys[0]!.disconnect();
        // Only the stranger's port shows up.
        rig.portAppeared(lines.ports[1] as PortRef);
      }
    });
    const result = await rig.flash(lines.ports[0]!);
    expect(appeared).toEqual([stranger.identity.chfId]);
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'HF0506', name: 'HubLost' } });
    expect(stranger.snapshot().running.version).toBe(0x01000000);
    // Its progress is kept: plugged in again, it resumes rather than restarting.
    const again = await lines.ptys[0]!.reenumerate();
    const resumed = await new Rig({ image: fw.image, journal }).flash({ kind: 'serial', path: again, baudRate: PTY_LINE.baud });
    expect(resumed).toMatchObject({ outcome: 'verified', resumes: 1 });
    expect(resumed.bytesSent - fw.image.size).toBeLessThanOrEqual(WINDOW);
  });
});
