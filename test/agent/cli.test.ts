import { execFile, spawn } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { createInterface } from 'node:readline';
import { readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlashResult } from '../../agent/index.ts';
import { makeFirmwareImage, type SimulatedHub } from '../../simulators/index.ts';
import { makeFirmware, makeHub, ptyHubs, tempDir, type Firmware } from './fixtures.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/hubflash.js');
const run = promisify(execFile);

async function hubflash(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let fw: Firmware;
let hubs: SimulatedHub[];
let lines: Awaited<ReturnType<typeof ptyHubs>>;
let work: ReturnType<typeof tempDir>;
const file = (name: string): string => path.join(work.dir, name);

beforeAll(async () => {
  fw = makeFirmware(32 * 1024);
  // Two flashable hubs and a Commissioned one.
  hubs = [makeHub(fw, 500), makeHub(fw, 501), makeHub(fw, 502, { faults: { installState: 2 } })];
  await Promise.all(hubs.map((h) => h.powerOn()));
  lines = await ptyHubs(hubs);
  work = tempDir('hf-cli-');
  writeFileSync(file('up.ota'), fw.upgrade);
  writeFileSync(file('maker.pub'), fw.key.publicKeyPem);
  writeFileSync(file('other.pub'), makeFirmware(1024).key.publicKeyPem);
});
afterAll(async () => {
  await lines.close();
  for (const h of hubs) h.close();
  work.remove();
});

const path0 = (): string => lines.ptys[0]!.path;
const common = (): string[] => ['--image', file('up.ota'), '--journal', file('journal'), '--baud', '4000000'];

// These only read the hubs, so they run side by side; the flash below runs after them.
describe.concurrent('hubflash identify, and flash refusing bad input', () => {
  it('identify prints each hub on the ports given, says which port has none, and exits 1 for it', async () => {
    const out = await hubflash(['identify', '--port', path0(), '--port', lines.ptys[1]!.path, '--port', file('no-such-port'), '--json']);
    expect(out.code).toBe(1);
    const ids = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { chfId?: string; port: string; error?: { code: string } });
    expect(ids.map((i) => i.chfId)).toEqual([hubs[0]!.identity.chfId, hubs[1]!.identity.chfId, undefined]);
    expect(ids[0]).toMatchObject({ port: path0(), runningVersion: '01000000', slotState: 'Empty', hanVariant: 'SingleBand' });
    expect(ids[2]).toMatchObject({ port: file('no-such-port'), error: { code: 'HF0500' } });
  });

  it('flash refuses an image that does not verify against the trusted keys, before any byte is sent', async () => {
    const ops = hubs[0]!.snapshot().flashOps;
    const out = await hubflash(['flash', ...common(), '--trusted-key', file('other.pub'), '--port', path0(), '--json']);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/HF020[45]/);
    expect(out.stdout).toBe('');
    expect(hubs[0]!.snapshot().flashOps).toBe(ops);
  });

  it('flash refuses a bad option with a code', async () => {
    const out = await hubflash(['flash', ...common(), '--trusted-key', file('maker.pub'), '--port', path0(), '--concurrency', '0']);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('HF0507');
  });

  it('flash refuses a --serial-usb that is not a USB ID, naming the option', async () => {
    const ops = hubs[0]!.snapshot().flashOps;
    const out = await hubflash(['flash', ...common(), '--trusted-key', file('maker.pub'), '--port', path0(), '--serial-usb', 'ftdi']);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('HF0507');
    expect(out.stderr).toContain('--serial-usb "ftdi" is not a USB ID');
    expect(hubs[0]!.snapshot().flashOps).toBe(ops);
  });
});

describe('hubflash flash', () => {
  it('prints one JSON result per hub, and exits 1 when any hub did not end on the image', async () => {
    const args = ['flash', ...common(), '--trusted-key', file('maker.pub'), '--json', ...lines.ptys.flatMap((p) => ['--port', p.path])];
    const out = await hubflash(args);
    expect(out.code).toBe(1);
    const results = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as FlashResult);
    const byHub = new Map(results.map((r) => [r.hub?.chfId, r]));
    expect(byHub.get(hubs[0]!.identity.chfId)).toMatchObject({ outcome: 'verified', from: { version: '01000000' }, to: { version: '02000000', hash: fw.image.sha256 }, bytesSent: fw.image.size, bytesResent: 0, resumes: 0 });
    expect(byHub.get(hubs[1]!.identity.chfId)?.outcome).toBe('verified');
    expect(byHub.get(hubs[2]!.identity.chfId)).toMatchObject({ outcome: 'ineligible', error: { code: 'HF0316' } });
    for (const r of results) {
      expect(r.resultId).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.phases.connect).toBeGreaterThanOrEqual(0);
    }
    // Again, on the two flashed hubs only: already current, exit 0.
    const again = await hubflash(['flash', ...common(), '--trusted-key', file('maker.pub'), '--port', path0(), '--port', lines.ptys[1]!.path]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already-current');
    expect(again.stdout).toContain('2 of 2 hubs on the image');
  });
});

describe('hubflash flash, a hub pulled mid-flash', () => {
  // The hub runs in its own `hubflash sim` process, as on a rig: a pty opened here would be
  // inherited by the flash process and never hang up.
  it('follows it back on its stable port name (as /dev/serial/by-id gives) on a new device, and resumes', async () => {
    const child = spawn(process.execPath, [BIN, 'sim', '--count', '1', '--baud', '4000000', '--instant-flash', '--reboot-ms', '0', '--faults', 'hub0:disconnect@offset=12000,reenumerate=200'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const byId = file('usb-FTDI_cradle_A-if00-port0');
    const newPaths: string[] = [];
    try {
      const ready = new Promise<{ key: string; path: string }>((resolve) => {
        let key = '';
        createInterface({ input: child.stdout }).on('line', (text) => {
          const l = JSON.parse(text) as { event: string; path?: string; privateKeyPath?: string };
          if (l.event === 'manufacturer-key') key = l.privateKeyPath!;
          if (l.event === 'hub') resolve({ key, path: l.path! });
          // What udev does when the adapter comes back as another ttyUSB: the by-id link now leads there.
          if (l.event === 'reenumerated') {
            newPaths.push(l.path!);
            symlinkSync(l.path!, `${byId}.new`);
            renameSync(`${byId}.new`, byId);
          }
        });
      });
      const hub = await ready;
      const signing = readFileSync(hub.key, 'utf8');
      writeFileSync(file('sim.ota'), makeFirmwareImage({ privateKeyPem: signing, version: 0x02000000, hardware: { min: 0x100, max: 0x100 }, upgradeableFrom: [0x01000000], payloadBytes: 32 * 1024 }));
      writeFileSync(file('sim.pub'), createPublicKey(signing).export({ type: 'spki', format: 'pem' }));
      symlinkSync(hub.path, byId);
      const out = await hubflash(['flash', '--image', file('sim.ota'), '--journal', file('journal-sim'), '--baud', '4000000', '--trusted-key', file('sim.pub'), '--json', '--port', byId, '--reappear-ms', '10000']);
      const [result] = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as FlashResult);
      expect(newPaths).toHaveLength(1);
      expect(newPaths[0]).not.toBe(hub.path);
      expect([out.code, result]).toEqual([0, expect.objectContaining({ outcome: 'verified', resumes: 1, port: byId })]);
      expect(result!.bytesResent).toBeLessThanOrEqual(8 * 2037);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  });
});
