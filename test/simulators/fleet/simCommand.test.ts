import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { makeFirmwareImage } from '../../../simulators/index.ts';
import { TestHost } from '../helpers/testHost.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Line {
  event: string;
  index?: number;
  path?: string;
  identity?: { chfId: string };
  running?: { version: string; hash: string };
  privateKeyPath?: string;
}

/** Starts `hubflash sim`, resolving once it has printed a line for every hub. */
async function sim(args: string[], hubs: number): Promise<{ child: ChildProcess; lines: Line[]; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['bin/hubflash.js', 'sim', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines: Line[] = [];
  const reader = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    reader.on('line', (l) => {
      lines.push(JSON.parse(l) as Line);
      if (lines.filter((x) => x.event === 'hub').length === hubs) resolve();
    });
    void exited.then((code) => reject(new Error(`sim exited ${code}: ${stderr}`)));
  });
  return { child, lines, exited };
}

describe('hubflash sim', () => {
  it('prints a line per hub, stops cleanly on SIGINT, and a restart with --state brings back the same hubs', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hubflash-sim-cli-'));
    dirs.push(dir);
    const args = ['--count', '2', '--state', dir, '--baud', '921600', '--instant-flash', '--reboot-ms', '0'];
    const first = await sim(args, 2);
    const hubs = first.lines.filter((l) => l.event === 'hub');
    expect(hubs.map((h) => h.index)).toEqual([0, 1]);
    expect(hubs[0]!.path).toMatch(/^\/dev\/pts\/\d+$/);
    expect(hubs[0]!.identity!.chfId).not.toBe(hubs[1]!.identity!.chfId);
    const key = first.lines.find((l) => l.event === 'manufacturer-key')!;
    expect(key.privateKeyPath).toBe(path.join(dir, 'manufacturer.key'));

    // Flash hub 0 through its pty with an image signed by the simulator's key.
    const upgrade = makeFirmwareImage({ privateKeyPem: readFileSync(key.privateKeyPath!, 'utf8'), version: 0x02000000, hardware: { min: 0x100, max: 0x100 } });
    const port = new SerialPort({ path: hubs[0]!.path!, baudRate: 921600 });
    await new Promise((r) => port.once('open', r));
    const host = new TestHost(port);
    await host.connect();
    await host.transfer(upgrade);
    await host.request({ kind: 'activate' });
    await host.requestUntilAnswered({ kind: 'identify' });
    expect(await host.request({ kind: 'confirm' })).toMatchObject({ runningVersion: 0x02000000 });
    host.close();

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);

    const second = await sim(args, 2);
    const again = second.lines.filter((l) => l.event === 'hub');
    expect(again.map((h) => h.identity)).toEqual(hubs.map((h) => h.identity));
    expect(again[1]!.running).toEqual(hubs[1]!.running);
    expect(again[0]!.running!.version).toBe('02000000');
    expect(again[0]!.running!.hash).not.toBe(hubs[0]!.running!.hash);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('without --state, removes the folder of its generated key when it stops', async () => {
    const run = await sim(['--count', '1', '--instant-flash'], 1);
    const key = run.lines.find((l) => l.event === 'manufacturer-key')!;
    const keyDir = path.dirname(key.privateKeyPath!);
    dirs.push(keyDir);
    expect(keyDir.startsWith(os.tmpdir())).toBe(true);
    expect(existsSync(key.privateKeyPath!)).toBe(true);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(existsSync(keyDir)).toBe(false);
  });

  it('exits 1 with the error code on a bad fault spec', async () => {
    const child = spawn(process.execPath, ['bin/hubflash.js', 'sim', '--count', '1', '--faults', 'hub0:explode'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/HF0800/);
  });
});
