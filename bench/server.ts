/**
 * `npm run bench:server`: the central server's figures (see the table). Each ratio
 * compares two figures measured in the same run. Writes the `## Server` section of BENCHMARKS.md.
 *
 *   npm run bench:server -- --hubs 1000000 --rounds 2
 *   npm run bench:server -- --results-only     (the durable results figures alone; BENCHMARKS.md untouched)
 *
 * BENCH_PROFILE=dir writes a CPU profile of the main thread while results are driven.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { addRig, createToken } from '../server/admin.ts';
import { killHard, startChildServer } from '../test/server/helpers/childServer.ts';
import { importThroughApi, lookupLatencies, memoryOf, percentile, rawWrite, writeSnapshot } from './server/inventory.ts';
import { writeBenchmarkSection } from './server/report.ts';
import { ordersPlugin } from '../server/plugins/orders.ts';
import { durableResultRate, rawAedesRate, type DurableRun, type RateOptions } from './server/results.ts';

const { values } = parseArgs({
  options: {
    hubs: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '3' },
    'per-rig': { type: 'string', default: '5000' },
    window: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '1000' },
    lookups: { type: 'string', default: '20000' },
    'results-only': { type: 'boolean', default: false },
  },
});
const hubs = Number(values.hubs);
// A rig's outbox publishes its whole backlog at once (agent/daemon/serverLink.ts); 500 in flight
// per rig stands for a backlog flush after an outage. Each durable round starts a fresh server,
// so 1000 results per rig go through it untimed first, as the raw broker's warm-up does.
const rate: RateOptions = { rigs: 20, perRig: Number(values['per-rig']), window: Number(values.window), warmup: Number(values.warmup) };
const work = mkdtempSync(path.join(tmpdir(), 'hubflash-bench-server-'));
const lines: string[] = [];
const say = (line: string): void => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};

try {
  // 1. Durable results against raw aedes QoS 1, same clients, same payload size; best of N rounds each.
  //    Headline: the server as deployed (`hubflash server start`: with the orders plugin); also the core alone.
  await rawAedesRate({ ...rate, perRig: 200 }, 700); // warm-up
  const runs = { orders: [] as DurableRun[], core: [] as DurableRun[], raw: [] as number[] };
  let payloadBytes = 0;
  for (let round = 0; round < Number(values.rounds); round++) {
    runs.orders.push(await durableResultRate(rate, mkdtempSync(path.join(work, 'results-')), { plugins: [ordersPlugin()] }));
    runs.core.push(await durableResultRate(rate, mkdtempSync(path.join(work, 'results-'))));
    payloadBytes = runs.core[round]!.payloadBytes;
    runs.raw.push(await rawAedesRate({ ...rate, warmup: 0 }, payloadBytes));
  }
  // The same core with the window of 100 earlier runs used, for comparison.
  const narrow = { ...rate, window: 100, perRig: Math.min(rate.perRig, 2000) };
  const narrowCore = await durableResultRate(narrow, mkdtempSync(path.join(work, 'results-')));
  const narrowRaw = await rawAedesRate({ ...narrow, warmup: 0 }, payloadBytes);
  const raw = Math.max(...runs.raw);
  for (const [what, list] of [['with the orders plugin, as deployed', runs.orders], ['core only, no plugins', runs.core]] as const) {
    const best = list.reduce((a, b) => (b.rate > a.rate ? b : a));
    const spread = list.map((d, i) => (d.rate / runs.raw[i]!).toFixed(2)).join(', ');
    say(
      `durable results rate (${what}): ${best.rate.toFixed(0)}/s vs raw aedes QoS1 ${raw.toFixed(0)}/s → ratio ${(best.rate / raw).toFixed(2)} (target ≥ 0.6; ${rate.rigs} rigs, ${rate.window} in flight each after ${rate.warmup} untimed, ${payloadBytes}-byte results; per round ${spread}; event-loop busy: broker thread ${best.elu.main.toFixed(2)}, storage thread ${best.elu.storage?.toFixed(2) ?? '-'}; process CPU ${best.cpuPerResultUs.toFixed(0)} µs per result)`,
    );
  }

  say(
    `durable results rate (core only, ${narrow.window} in flight per rig): ${narrowCore.rate.toFixed(0)}/s vs raw ${narrowRaw.toFixed(0)}/s at the same window → ratio ${(narrowCore.rate / narrowRaw).toFixed(2)} (process CPU ${narrowCore.cpuPerResultUs.toFixed(0)} µs per result)`,
  );

  if (!values['results-only']) {
    // 2. Import through the API into a server in its own process, against raw writes.
    const csv = path.join(work, 'snapshot.csv');
    const bytes = await writeSnapshot(csv, hubs);
    const rawSeconds = await rawWrite(csv, path.join(work, 'raw-db'));
    const dataDir = path.join(work, 'server');
    await addRig(dataDir, 'RIG-01', 'bench');
    const { token } = await createToken(dataDir, 'bench', 'admin', 'bench');
    const server = await startChildServer({ dataDir, mqtt: { port: 0, host: '127.0.0.1' }, http: { port: 0, host: '127.0.0.1' }, log: { level: 'warn' } });
    try {
      const imported = await importThroughApi(server, token, csv);
      say(
        `import: ${imported.report.created} hubs from CSV (${(bytes / 1e6).toFixed(0)} MB) in ${imported.seconds.toFixed(1)} s with validation and every index; raw writes ${rawSeconds.toFixed(1)} s → ${(imported.seconds / rawSeconds).toFixed(1)}× raw (target ≤ 60 s)`,
      );

      // 3. Lookups by ID with every hub stored.
      const latencies = await lookupLatencies(server, token, hubs, Number(values.lookups));
      say(`lookup latency (HTTP GET /devices/{id}, ${hubs} hubs stored): p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms (target p99 ≤ 2 ms)`);

      // 4. The server process's memory with every hub stored.
      const mem = memoryOf(server.child.pid!);
      say(`memory: server RSS ${mem.rssMiB.toFixed(0)} MiB with ${hubs} hubs stored; peak ${Math.max(mem.peakMiB, imported.peakRssMiB).toFixed(0)} MiB during the import (target ≤ 300 MiB)`);
    } finally {
      await killHard(server);
    }
    writeBenchmarkSection(lines);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
