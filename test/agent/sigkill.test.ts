import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flashHub, type FlashResult } from '../../agent/index.ts';
import { maxWireBytes } from '../../protocol/framing/index.ts';
import type { PtyHub, SimulatedHub } from '../../simulators/index.ts';
import { makeFirmware, makeHub, ptyHubs, tempDir, type Firmware } from './fixtures.ts';
import { Random } from '../../simulators/random.ts';

// SIGKILL the agent (the `hubflash flash` command in a child process) at random points across
// the flashes of four hubs served from this process on ptys; then let it run to completion.

const BIN = path.resolve(import.meta.dirname, '../../bin/hubflash.js');
const SEED = 20261128;
const KILLS = 5;
const HUBS = 4;
const BAUD = 1_000_000;
/** 8 credits × 2037 data bytes per frame at the agreed 2048-byte frame. */
const WINDOW_DATA = 8 * 2037;
const WINDOW_WIRE = 8 * maxWireBytes(2048);
/** CONNECT, IDENTIFY, STATUS and BEGIN again after a restart, with room to spare. */
const RESTART_COMMANDS_WIRE = 1024;

let fw: Firmware;
let hubs: SimulatedHub[];
let lines: Awaited<ReturnType<typeof ptyHubs>>;
let work: ReturnType<typeof tempDir>;
let imageFile: string;
/** Host-to-hub wire bytes of one uninterrupted flash of the same image, on the same line. */
let cleanWire: number;
let keyFile: string;

beforeAll(async () => {
  fw = makeFirmware(96 * 1024);
  hubs = Array.from({ length: HUBS }, (_, i) => makeHub(fw, 300 + i, { flash: { eraseMs: 1, programMs: 0.02 } }));
  await Promise.all(hubs.map((h) => h.powerOn()));
  lines = await ptyHubs(hubs, { baud: BAUD, latencyMs: 2 });
  work = tempDir('hf-sigkill-');
  imageFile = path.join(work.dir, 'upgrade.ota');
  keyFile = path.join(work.dir, 'maker.pub');
  writeFileSync(imageFile, fw.upgrade);
  writeFileSync(keyFile, fw.key.publicKeyPem);
  const control = makeHub(fw, 399);
  await control.powerOn();
  const controlLine = await ptyHubs([control], { baud: 4_000_000, latencyMs: 1 });
  const r = await flashHub({ port: controlLine.ports[0]!, image: fw.image });
  expect(r.outcome).toBe('verified');
  cleanWire = wireBytes(controlLine.ptys[0]!);
  await controlLine.close();
  control.close();
});
afterAll(async () => {
  await lines.close();
  for (const h of hubs) h.close();
  work.remove();
});

function agent(): { child: ChildProcess; stdout: Promise<string>; exit: Promise<number | null> } {
  const args = ['flash', '--image', imageFile, '--trusted-key', keyFile, '--journal', path.join(work.dir, 'journal'), '--baud', String(BAUD), '--json'];
  for (const p of lines.ptys) args.push('--port', p.path);
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', () => {});
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, stdout: exit.then(() => out) };
}

/** Host-to-hub wire bytes on each pty (the simulator's paced line counts them). */
function wireBytes(p: PtyHub): number {
  return (p as unknown as { link: { toHub: { bytesWritten: number } } }).link.toHub.bytesWritten;
}


async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until no hub's received offset has moved for a while: what the dead agent wrote has landed. */
async function settled(): Promise<void> {
  let last = '';
  let same = 0;
  await until('the hubs to settle', () => {
    const now = hubs.map((h) => `${h.snapshot().receivedOffset}/${h.snapshot().slotState}`).join(',');
    same = now === last ? same + 1 : 0;
    last = now;
    return same >= 5;
  });
}

describe('SIGKILL the agent at random points', () => {
  it(`a restart finishes every hub, re-sending at most one window per interruption (seed ${SEED})`, async () => {
    const random = new Random(SEED);
    // Kill points: KILLS random offsets into the transfer (in order, so every run gets further),
    // then one more once a hub has finished its transfer (verify, activate, reboot or confirm).
    const size = fw.image.size;
    const targets = Array.from({ length: KILLS }, () => Math.floor((0.05 + 0.9 * random.next()) * size)).sort((a, b) => a - b);
    const killedAt: string[] = [];
    for (const target of [...targets, size]) {
      const run = agent();
      await until(`a hub to pass offset ${target}`, () => hubs.some((h) => h.snapshot().committedOffset >= target || h.snapshot().running.hash === fw.image.sha256));
      await new Promise((r) => setTimeout(r, Math.floor(random.next() * 30)));
      run.child.kill('SIGKILL');
      const code = await run.exit;
      if (code !== null) expect(code).toBe(0); // it finished before the kill
      await settled();
      killedAt.push(hubs.map((h) => `${h.snapshot().committedOffset}:${h.snapshot().slotState}`).join(' '));
    }
    const final = agent();
    const code = await final.exit;
    const results = (await final.stdout).trim().split('\n').map((l) => JSON.parse(l) as FlashResult);
    expect(code, `kills at ${killedAt.join(' | ')}`).toBe(0);
    expect(results).toHaveLength(HUBS);
    for (const [i, h] of hubs.entries()) {
      expect(h.snapshot().running, `hub ${i}`).toMatchObject({ hash: fw.image.sha256, trial: false });
      const r = results.find((x) => x.hub?.chfId === h.identity.chfId)!;
      expect(['verified', 'already-current']).toContain(r.outcome);
      // The agent's own count, carried across restarts in the journal.
      expect(r.bytesResent).toBeLessThanOrEqual(Math.max(1, r.resumes) * WINDOW_DATA);
    }
    // The hub's count: wire bytes beyond one clean flash, per interruption.
    for (const [i, p] of lines.ptys.entries()) {
      const extra = wireBytes(p) - cleanWire;
      expect(extra, `hub ${i}`).toBeLessThanOrEqual((KILLS + 1) * (WINDOW_WIRE + RESTART_COMMANDS_WIRE));
    }
  });
});
