/**
 * `npm run bench:storage`: the server's durable-results path alone, without the broker: results
 * handed to the core as the broker thread hands them over, acknowledged when on disk. Shows what
 * storage can take by itself, where its CPU goes (per OS thread) and what each result writes (per
 * key family), to read beside `bench:server`'s ratio. Prints only; BENCHMARKS.md is untouched.
 *
 *   npm run bench:storage -- --results 100000 [--only core|orders]
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { buildImage, generateManufacturerKeyPair } from '../protocol/image/index.ts';
import { decodeAck } from '../protocol/mqtt/index.ts';
import { resolveServerConfig } from '../server/config/config.ts';
import { startCore, type Core } from '../server/core/startCore.ts';
import { ordersPlugin } from '../server/plugins/orders.ts';
import { hubId } from '../test/server/helpers/snapshot.ts';
import { resultFor } from './server/results.ts';
import { threadCpu, type ThreadCpu } from './server/threads.ts';

const { values } = parseArgs({
  options: {
    results: { type: 'string', default: '100000' },
    warmup: { type: 'string', default: '20000' },
    only: { type: 'string' },
  },
});
const RIGS = 20;
const WINDOW = 500;

/** One core (the storage thread's code, here on this thread) on a fresh data dir. */
async function openCore(dir: string, withOrders: boolean, onAck: (rigId: string, n: number) => void) {
  const keys = generateManufacturerKeyPair();
  writeFileSync(path.join(dir, 'maker.pem'), keys.publicKeyPem);
  const config = resolveServerConfig({ dataDir: dir, trustedManufacturerKeys: [path.join(dir, 'maker.pem')], http: { port: 0, host: '127.0.0.1' } });
  const core = await startCore(config, {
    log: pino({ level: 'warn' }),
    plugins: withOrders ? [ordersPlugin()] : [],
    version: 'bench',
    publish: async (topic, payload) => onAck(topic.split('/')[3]!, decodeAck(payload).resultIds.length),
  });
  const bytes = buildImage({ manufacturerCode: 0x121d, imageType: 0, fileVersion: 0x02010000, payload: new Uint8Array(1000) }, keys.privateKeyPem);
  await core.context.catalogue.add(bytes, { by: 'bench', approve: true });
  return { core, image: { sha256: createHash('sha256').update(bytes).digest('hex'), version: '02010000' } };
}

/** Drives `n` results from 20 rigs, at most WINDOW unacknowledged each; results/s and CPU. */
async function drive(core: Core, payloads: Buffer[][], acks: { on: (rigId: string, n: number) => void }): Promise<{ rate: number; cpu: ThreadCpu }> {
  const n = payloads.reduce((a, p) => a + p.length, 0);
  const sent = payloads.map(() => 0);
  const acked = payloads.map(() => 0);
  let done = 0;
  const cpu = threadCpu();
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const pump = (r: number): void => {
      const mine = payloads[r]!;
      while (sent[r]! < mine.length && sent[r]! - acked[r]! < WINDOW) core.events.rigMessage(`RIG-${r}`, 'results', mine[sent[r]!++]!);
    };
    acks.on = (rigId, k) => {
      const r = Number(rigId.slice('RIG-'.length));
      acked[r]! += k;
      done += k;
      if (done >= n) resolve();
      else setImmediate(() => pump(r));
    };
    payloads.forEach((_, r) => pump(r));
  });
  return { rate: n / ((performance.now() - started) / 1000), cpu: cpu.since(n) };
}

/** Entries and bytes (key + value) per result, by key family (first key part; the index field for `x`). */
async function bytesPerResult(core: Core, results: number): Promise<string> {
  const families = new Map<string, { entries: number; bytes: number }>();
  const it = core.context.store.iterator();
  for (let e = await it.next(); e; e = await it.next()) {
    const [key, value] = e;
    const parts = key.split('\x00');
    const family = parts[0] === 'x' ? `x/${parts[1]}` : parts[0]!;
    const f = families.get(family) ?? { entries: 0, bytes: 0 };
    f.entries++;
    f.bytes += key.length + value.length;
    families.set(family, f);
  }
  await it.close();
  const per = [...families].filter(([, f]) => f.entries >= results / 2).sort(([a], [b]) => a.localeCompare(b));
  const total = per.reduce((a, [, f]) => a + f.bytes, 0) / results;
  const entries = per.reduce((a, [, f]) => a + f.entries, 0) / results;
  return `${entries.toFixed(1)} entries, ${(total / 1024).toFixed(2)} KiB per result (${per.map(([k, f]) => `${JSON.stringify(k).slice(1, -1)} ${Math.round(f.bytes / f.entries)} B`).join(', ')})`;
}

async function run(withOrders: boolean): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hubflash-bench-storage-'));
  const acks = { on: (_rigId: string, _n: number): void => {} };
  const { core, image } = await openCore(dir, withOrders, (rigId, n) => acks.on(rigId, n));
  try {
    let next = 0;
    const batch = (n: number): Buffer[][] => Array.from({ length: RIGS }, (_, r) => Array.from({ length: n / RIGS }, () => resultFor(`RIG-${r}`, hubId(next++), image)));
    await drive(core, batch(Number(values.warmup)), acks);
    const { rate, cpu } = await drive(core, batch(Number(values.results)), acks);
    const what = withOrders ? 'with the orders plugin' : 'core only';
    console.log(`storage alone (${what}): ${rate.toFixed(0)} results/s, process CPU ${cpu.total.toFixed(0)} µs per result: ${cpu.describe()}`);
    console.log(`  writes (${what}): ${await bytesPerResult(core, next)}`);
  } finally {
    await core.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.only !== 'orders') await run(false);
if (values.only !== 'core') await run(true);
