import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlashResult } from '../../agent/index.ts';
import type { SimulatedHub } from '../../simulators/index.ts';
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
