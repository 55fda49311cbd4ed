/**
 * `npm run bench:storage`: the server's durable-results path alone, without the broker: results
 * handed to the core as the broker thread hands them over, acknowledged when on disk. Shows what
 * storage can take by itself, where its CPU goes (per OS thread) and what each result writes (per
 * key family), to read beside `bench:server`'s ratio. Prints only; BENCHMARKS.md is untouched.
 *
 *   npm run bench:storage -- --results 100000 [--only core|orders] [--known]
 *
 * By default every result is for a hub the inventory does not know yet (it is added, with its
 * index entries); with --known the hubs are imported from an SMI snapshot first, as in the
 * warehouse, and each result moves a known hub's firmware on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { decodeAck } from '../protocol/mqtt/index.ts';
import { resolveServerConfig } from '../server/config/config.ts';
import { startCore, type Core } from '../server/core/startCore.ts';
import { LevelStore } from '../server/storage/LevelStore.ts';
import type { BatchOp, Range, Store, WriteOptions } from '../server/storage/Store.ts';
import { ordersPlugin } from '../server/plugins/orders.ts';
import { importSnapshot } from '../server/domain/import/importer.ts';
import { csvRows } from '../server/domain/import/sources.ts';
import { csvLine, csvSnapshot, hubId, sampleHub } from '../test/server/helpers/snapshot.ts';
import { benchImage, resultFor } from './server/results.ts';
import { threadCpu, type ThreadCpu } from './server/threads.ts';

const { values } = parseArgs({
  options: {
    results: { type: 'string', default: '100000' },
    warmup: { type: 'string', default: '20000' },
    only: { type: 'string' },
    known: { type: 'boolean', default: false },
  },
});
const RIGS = 20;
const WINDOW = 500;

/** One core (the storage thread's code, here on this thread) on a fresh data dir. */
async function openCore(dir: string, withOrders: boolean, onAck: (rigId: string, n: number) => void) {
  const { keyFile, bytes, image } = benchImage(dir);
  const config = resolveServerConfig({ dataDir: dir, trustedManufacturerKeys: [keyFile], http: { port: 0, host: '127.0.0.1' } });
  // LevelDB as the server opens it, counted.
  const store = new CountingStore(await LevelStore.open(path.join(dir, 'db'), { cacheSize: config.storage.cacheSizeMiB << 20, writeBufferSize: config.storage.writeBufferSizeMiB << 20 }));
  const core = await startCore(config, {
    store,
    log: pino({ level: 'warn' }),
    plugins: withOrders ? [ordersPlugin()] : [],
    version: 'bench',
    publish: async (topic, payload) => onAck(topic.split('/')[3]!, decodeAck(payload).resultIds.length),
  });
  await core.context.catalogue.add(bytes, { by: 'bench', approve: true });
  return { core, store, image };
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

/**
 * The Store, counting what is written (puts and deletes, key + value bytes) per key family (the
 * first key part; the index field for `x`) while `counting` is set.
 */
class CountingStore implements Store {
  counting = false;
  readonly families = new Map<string, { puts: number; dels: number; bytes: number }>();

  constructor(private readonly inner: Store) {}

  get = (key: string) => this.inner.get(key);
  getMany = (keys: readonly string[]) => this.inner.getMany(keys);
  iterator = (range?: Range) => this.inner.iterator(range);
  close = () => this.inner.close();

  batch(ops: readonly BatchOp[], options?: WriteOptions): Promise<void> {
    if (this.counting) {
      for (const op of ops) {
        const parts = op.key.split('\x00');
        const family = parts[0] === 'x' ? `x/${parts[1]}` : parts[0]!;
        const f = this.families.get(family) ?? { puts: 0, dels: 0, bytes: 0 };
        if (op.type === 'put') f.puts++;
        else f.dels++;
        f.bytes += op.key.length + (op.type === 'put' ? op.value.length : 0);
        this.families.set(family, f);
      }
    }
    return this.inner.batch(ops, options);
  }

  /** Writes per result, by family: "e 266 B" (one put), "x/fw 2× 37 B" (a put and a delete). */
  describe(results: number): string {
    const per = [...this.families].filter(([, f]) => f.puts + f.dels >= results / 2).sort(([a], [b]) => a.localeCompare(b));
    const entries = per.reduce((a, [, f]) => a + f.puts + f.dels, 0) / results;
    const bytes = per.reduce((a, [, f]) => a + f.bytes, 0) / results;
    const each = per.map(([k, f]) => {
      const n = (f.puts + f.dels) / results;
      return `${JSON.stringify(k).slice(1, -1)} ${n >= 1.5 ? `${n.toFixed(0)}× ` : ''}${Math.round(f.bytes / (f.puts + f.dels))} B`;
    });
    return `${entries.toFixed(1)} entries written, ${(bytes / 1024).toFixed(2)} KiB per result (${each.join(', ')})`;
  }
}

async function run(withOrders: boolean): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hubflash-bench-storage-'));
  const acks = { on: (_rigId: string, _n: number): void => {} };
  const { core, store, image } = await openCore(dir, withOrders, (rigId, n) => acks.on(rigId, n));
  try {
    const total = Number(values.warmup) + Number(values.results);
    if (values.known) {
      // Not installed, and as the rig will read them (the bench's results are EDMI-CH2, DualBand).
      const line = (i: number): string => csvLine({ ...sampleHub(i), gpfId: hubId(i), model: 'EDMI-CH2', hanVariant: 'DualBand', smiStatus: 'Whitelisted' });
      await importSnapshot(core.context.inventory, csvRows(csvSnapshot(total, 0, line)), { by: 'bench', batchSize: 1000, maxErrorsReported: 10, defaultCustody: 'at-csp' });
    }
    let next = 0;
    const batch = (n: number): Buffer[][] => Array.from({ length: RIGS }, (_, r) => Array.from({ length: n / RIGS }, () => resultFor(`RIG-${r}`, hubId(next++), image)));
    await drive(core, batch(Number(values.warmup)), acks);
    const timed = batch(Number(values.results));
    store.counting = true;
    const { rate, cpu } = await drive(core, timed, acks);
    store.counting = false;
    const what = `${withOrders ? 'with the orders plugin' : 'core only'}, ${values.known ? 'hubs imported first' : 'hubs new to the inventory'}`;
    console.log(`storage alone (${what}): ${rate.toFixed(0)} results/s, process CPU ${cpu.total.toFixed(0)} µs per result: ${cpu.describe()}`);
    console.log(`  LevelDB (${what}): ${store.describe(Number(values.results))}`);
  } finally {
    await core.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.only !== 'orders') await run(false);
if (values.only !== 'core') await run(true);
