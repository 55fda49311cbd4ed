/**
 * How close simulated hubs get to their physical bound: N hubs in a `hubflash sim` child process
 * (their own process, as in the agent's benchmark), each flashed here through the real serialport
 * by the small test host. Prints per-run efficiency = ideal / actual transfer time, where ideal =
 * max(link time of the framed image at baud/10 B/s, flash erase + program time).
 *
 *   npx tsx test/simulators/bench/pacing.ts [count] [baud] [imageKiB]
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { blockWriteMs, FLASH_DEFAULTS, makeFirmwareImage } from '../../../simulators/index.ts';
import { TestHost } from '../helpers/testHost.ts';

const count = Number(process.argv[2] ?? 1);
const baud = Number(process.argv[3] ?? 115_200);
const kib = Number(process.argv[4] ?? 256);

const sim = spawn(process.execPath, ['bin/hubflash.js', 'sim', '--count', String(count), '--baud', String(baud), '--reboot-ms', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const lines = createInterface({ input: sim.stdout! });
const paths: string[] = [];
let keyFile = '';
for await (const l of lines) {
  const e = JSON.parse(l) as { event: string; path?: string; privateKeyPath?: string };
  if (e.event === 'manufacturer-key') keyFile = e.privateKeyPath!;
  if (e.event === 'hub') paths.push(e.path!);
  if (paths.length === count) break;
}
const image = makeFirmwareImage({ privateKeyPem: readFileSync(keyFile, 'utf8'), version: 0x02000000, payloadBytes: kib * 1024 - 200 });
const blocks = Math.ceil(image.length / 4096);
const frames = Math.ceil(image.length / 4096);
const wireBytes = image.length + frames * (11 + 2 + Math.ceil(4107 / 254));
const linkMs = (wireBytes / (baud / 10)) * 1000;
const flashMs = blocks * blockWriteMs(FLASH_DEFAULTS);
const ideal = Math.max(linkMs, flashMs);

/** CPU time (ms) a process has used, from /proc (user + system ticks at 100 Hz). */
const cpuMs = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
const simCpu0 = cpuMs(sim.pid!);
const started = Date.now();
const results = await Promise.all(
  paths.map(async (path) => {
    const port = new SerialPort({ path, baudRate: baud });
    await new Promise((r) => port.once('open', r));
    const host = new TestHost(port);
    host.timeoutMs = 5000;
    await host.connect();
    const t0 = performance.now();
    await host.transfer(image, { stallMs: 5000 });
    const ms = performance.now() - t0;
    host.close();
    return ms;
  }),
);
const wall = Date.now() - started;
const simCpu = cpuMs(sim.pid!) - simCpu0;
const eff = results.map((ms) => ideal / ms);
console.log(JSON.stringify({
  count, baud, imageBytes: image.length, idealMs: Math.round(ideal), bound: linkMs > flashMs ? 'link' : 'flash',
  meanMs: Math.round(results.reduce((a, b) => a + b, 0) / results.length), worstMs: Math.round(Math.max(...results)),
  efficiencyMean: +(eff.reduce((a, b) => a + b, 0) / eff.length).toFixed(4), efficiencyWorst: +Math.min(...eff).toFixed(4),
  aggregate: +(ideal / wall).toFixed(4),
  simulatorCpuOfOneCore: +(simCpu / wall).toFixed(3),
}));
sim.kill('SIGINT');
