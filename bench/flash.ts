/**
 * `npm run bench:flash`: the flashing engine against simulated hubs in their own process
 * (`hubflash sim`), at the simulator's default flash timing (typical SPI NOR) and latency, with a
 * 1 MiB image. Efficiency = physical bound ÷ transfer wall time (BEGIN to the last write
 * committed); the bound is the larger of the link time (image bytes ÷ baud/10) and the hub's own
 * flash time (erase + program of every 4 KiB block). Results go to BENCHMARKS.md by hand.
 *
 *   npm run bench:flash [-- --only single|parallel|resume] [--bauds 921600,3000000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { Journal, prepareImage, Rig, type FlashImage, type FlashResult, type PortRef } from '../agent/index.ts';
import { blockWriteMs, FLASH_DEFAULTS, LINK_DEFAULTS, makeFirmwareImage, makeManufacturerKey, BLOCK_SIZE } from '../simulators/index.ts';
import { Random } from '../simulators/random.ts';

const MiB = 1024 * 1024;
const BIN = path.resolve(import.meta.dirname, '../bin/hubflash.js');
const SINGLE = [
  { baud: 115_200, target: 0.97 },
  { baud: 921_600, target: 0.95 },
  { baud: 3_000_000, target: 0.9 },
];
const PARALLEL = { hubs: 64, baud: 921_600, target: 0.9 };
const RESUME = { hubs: 50, baud: 921_600, seed: 7 };

const args = process.argv.slice(2);
const only = argValue('--only');
const bauds = argValue('--bauds')?.split(',').map(Number);
const work = mkdtempSync(path.join(os.tmpdir(), 'hubflash-bench-'));
const key = makeManufacturerKey();
const keyFiles = { pub: path.join(work, 'maker.pub'), priv: path.join(work, 'maker.key') };
writeFileSync(keyFiles.pub, key.publicKeyPem);
writeFileSync(keyFiles.priv, key.privateKeyPem);
const image = prepareImage(oneMiBImage(), [key.publicKeyPem]);

/** The hub's own time for the image: erase + program of every block, at the simulator's defaults. */
const flashBoundMs = Math.ceil(image.size / BLOCK_SIZE) * blockWriteMs(FLASH_DEFAULTS);
const linkBoundMs = (baud: number): number => (image.size * 1000) / (baud / 10);

console.log(`image: ${image.size} bytes (${(image.size / MiB).toFixed(2)} MiB), version ${image.versionText}`);
console.log(
  `simulator: 4 KiB erase ${FLASH_DEFAULTS.eraseMs} ms, 256 B page program ${FLASH_DEFAULTS.programMs} ms, settings write ${FLASH_DEFAULTS.settingsWriteMs} ms; ` +
    `latency ${LINK_DEFAULTS.latencyMs} ms each way; hub flash bound ${(flashBoundMs / 1000).toFixed(2)} s`,
);

try {
  if (!only || only === 'single') {
    for (const s of SINGLE.filter((x) => !bauds || bauds.includes(x.baud))) await single(s.baud, s.target);
  }
  if (!only || only === 'parallel') await parallel();
  if (!only || only === 'resume') await resume();
} finally {
  rmSync(work, { recursive: true, force: true });
}

// --- the three runs ------------------------------------------------------------------------

async function single(baud: number, target: number): Promise<void> {
  const sim = await startSim(1, baud);
  try {
    const run = await flashAll(sim, baud, 1);
    const r = run.results[0]!;
    check(r);
    const wall = run.transferMs[0]!;
    const bound = Math.max(linkBoundMs(baud), flashBoundMs);
    const which = linkBoundMs(baud) >= flashBoundMs ? 'link' : 'flash';
    const eff = bound / wall;
    console.log(
      `${baud} baud: 1 MiB in ${(wall / 1000).toFixed(1)} s, bound ${(bound / 1000).toFixed(1)} s (${which}) → efficiency ${pct(eff)} ` +
        `(link-only ${pct(linkBoundMs(baud) / wall)}) target ≥ ${pct(target, 0)} ${eff >= target ? 'OK' : 'MISSED'}`,
    );
  } finally {
    await sim.stop();
  }
}

async function parallel(): Promise<void> {
  const { hubs, baud, target } = PARALLEL;
  const sim = await startSim(hubs, baud);
  try {
    const cpu0 = process.cpuUsage();
    const simCpu0 = procCpuMs(sim.child.pid!);
    let rss = 0;
    const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 100);
    const t0 = performance.now();
    const run = await flashAll(sim, baud, hubs);
    const elapsed = performance.now() - t0;
    clearInterval(sampler);
    const cpu = process.cpuUsage(cpu0);
    const simCpu = procCpuMs(sim.child.pid!) - simCpu0;
    run.results.forEach(check);
    const bound = Math.max(linkBoundMs(baud), flashBoundMs);
    const span = Math.max(...run.ends) - Math.min(...run.starts);
    const aggregate = bound / span; // each hub's share of the ideal: 64 links' bytes in one bound
    const slowest = Math.max(...run.transferMs);
    console.log(
      `${hubs} hubs at ${baud} baud: ${hubs} MiB in ${(span / 1000).toFixed(1)} s (first BEGIN to last commit), ` +
        `${((hubs * image.size) / MiB / (span / 1000)).toFixed(2)} MiB/s; per hub bound ${(bound / 1000).toFixed(1)} s → aggregate efficiency ${pct(aggregate)} ` +
        `of ${hubs} single links (slowest hub ${(slowest / 1000).toFixed(1)} s) target ≥ ${pct(target, 0)} ${aggregate >= target ? 'OK' : 'MISSED'}`,
    );
    console.log(
      `  agent: CPU ${(((cpu.user + cpu.system) / 1000 / elapsed) * 100).toFixed(0)} % of one core over ${(elapsed / 1000).toFixed(1)} s, peak RSS ${(rss / MiB).toFixed(0)} MiB; ` +
        `simulators (own process): CPU ${((simCpu / elapsed) * 100).toFixed(0)} % of one core`,
    );
  } finally {
    await sim.stop();
  }
}

async function resume(): Promise<void> {
  const { hubs, baud, seed } = RESUME;
  // One interruption per hub at a random offset: power cuts on even hubs, cable pulls on odd ones.
  const random = new Random(seed);
  const faults = Array.from({ length: hubs }, (_, i) => {
    const offset = Math.floor((0.05 + 0.9 * random.next()) * image.size);
    return i % 2 === 0 ? `hub${i}:power-loss@offset=${offset}` : `hub${i}:disconnect@offset=${offset}`;
  }).join(';');
  const sim = await startSim(hubs, baud, faults);
  try {
    const run = await flashAll(sim, baud, hubs);
    run.results.forEach(check);
    const resumes = run.results.reduce((n, r) => n + r.resumes, 0);
    const window = 8 * 2037;
    const all = stats(run.results.map((r) => r.bytesResent));
    const cuts = stats(run.results.filter((_, i) => i % 2 === 0).map((r) => r.bytesResent));
    const pulls = stats(run.results.filter((_, i) => i % 2 === 1).map((r) => r.bytesResent));
    console.log(
      `resume cost over ${hubs} interruptions at ${baud} baud (${resumes} resumes): bytes re-sent median ${all.median}, max ${all.max} ` +
        `(power cuts: median ${cuts.median}, max ${cuts.max}; cable pulls with re-enumeration: median ${pulls.median}, max ${pulls.max}); ` +
        `one window = ${window} bytes ${all.max <= window ? 'OK' : 'MISSED'}`,
    );
  } finally {
    await sim.stop();
  }
}

// --- plumbing ------------------------------------------------------------------------------

interface Sim {
  child: ChildProcess;
  hubs: Array<{ index: number; path: string }>;
  onReenumerated(fn: (index: number, path: string) => void): void;
  stop(): Promise<void>;
}

/** `hubflash sim` in its own process, trusting the bench key; resolves once every hub is up. */
async function startSim(count: number, baud: number, faults?: string): Promise<Sim> {
  const simArgs = ['sim', '--count', String(count), '--baud', String(baud), '--latency-ms', String(LINK_DEFAULTS.latencyMs), '--trusted-key', keyFiles.pub, '--signing-key', keyFiles.priv];
  if (faults) simArgs.push('--faults', faults);
  const child = spawn(process.execPath, [BIN, ...simArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const hubs: Sim['hubs'] = [];
  const reenumerated: Array<(index: number, path: string) => void> = [];
  const lines = readline.createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`hubflash sim exited with ${code}: ${stderr}`)));
    lines.on('line', (line) => {
      const m = JSON.parse(line) as { event: string; index: number; path: string };
      if (m.event === 'hub') hubs.push({ index: m.index, path: m.path });
      if (m.event === 'reenumerated') for (const fn of reenumerated) fn(m.index, m.path);
      if (hubs.length === count) resolve();
    });
  });
  child.removeAllListeners('exit');
  return {
    child,
    hubs,
    onReenumerated: (fn) => reenumerated.push(fn),
    stop: async () => {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

interface Run {
  results: FlashResult[];
  /** Per hub, in port order: transfer phase wall time, and its start and end on this clock. */
  transferMs: number[];
  starts: number[];
  ends: number[];
}

async function flashAll(sim: Sim, baud: number, concurrency: number): Promise<Run> {
  const journalDir = mkdtempSync(path.join(work, 'journal-'));
  const journal = await Journal.open(journalDir);
  const rig = new Rig({ image: image as FlashImage, journal, concurrency, reappearMs: 30_000 });
  sim.onReenumerated((_i, p) => rig.portAppeared({ kind: 'serial', path: p, baudRate: baud }));
  const starts = new Map<string, number>();
  const ends = new Map<string, number>();
  rig.on('progress', (p) => {
    const id = p.chfId ?? p.port;
    if (p.phase === 'transfer' && !starts.has(id)) starts.set(id, performance.now());
    if (p.phase === 'verify') ends.set(id, performance.now());
  });
  const ports: PortRef[] = sim.hubs.map((h) => ({ kind: 'serial', path: h.path, baudRate: baud }));
  try {
    const results = await rig.flashAll(ports);
    const ids = results.map((r) => r.hub?.chfId ?? r.port);
    return {
      results,
      transferMs: results.map((r) => r.phases.transfer ?? NaN),
      starts: ids.map((id) => starts.get(id) ?? NaN),
      ends: ids.map((id) => ends.get(id) ?? NaN),
    };
  } finally {
    await journal.close();
  }
}

function check(r: FlashResult): void {
  if (r.outcome !== 'verified') throw new Error(`${r.port}: ${r.outcome} ${r.error?.code ?? ''} ${r.error?.message ?? ''}`);
}

/** A signed image of exactly 1 MiB. */
function oneMiBImage(): Uint8Array {
  const make = (payloadBytes: number): Uint8Array => makeFirmwareImage({ privateKeyPem: key.privateKeyPem, version: 0x02000000, payloadBytes, seed: 'bench 1 MiB' });
  const overhead = make(1024).length - 1024;
  const bytes = make(MiB - overhead);
  if (bytes.length !== MiB) throw new Error(`image is ${bytes.length} bytes, not 1 MiB`);
  return bytes;
}

/** CPU time (user + system) of another process, ms, from /proc. */
function procCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}

function stats(values: number[]): { median: number; max: number } {
  const v = [...values].sort((a, b) => a - b);
  return { median: Math.round((v[(v.length - 1) >> 1]! + v[v.length >> 1]!) / 2), max: v.at(-1)! };
}

function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)} %`;
}

function argValue(name: string): string | undefined {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
}

