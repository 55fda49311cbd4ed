import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { LevelStore } from '../../server/storage/LevelStore.ts';
import type { BatchOp } from '../../server/storage/Store.ts';
import type { ChildServer } from '../../test/server/helpers/childServer.ts';
import { csvSnapshot, hubId } from '../../test/server/helpers/snapshot.ts';

/** Writes an SMI snapshot of `count` hubs to a CSV file (streamed). */
export async function writeSnapshot(file: string, count: number): Promise<number> {
  await pipeline(csvSnapshot(count), createWriteStream(file));
  return readFileSync(file).length; // size, for the report
}

/**
 * The baseline for the import ratio: the same CSV parsed by the same parser and each row written
 * as one record, in batches: no validation, no merge, no indexes, no counts, no history.
 */
export async function rawWrite(file: string, dir: string, batchSize = 2000): Promise<number> {
  const store = await LevelStore.open(dir);
  const started = performance.now();
  let ops: BatchOp[] = [];
  let header = true;
  for await (const { record } of createReadStream(file).pipe(parse({ info: true, bom: true, trim: true, skip_empty_lines: true, relax_column_count: true })) as AsyncIterable<{ record: string[] }>) {
    if (header) {
      header = false;
      continue;
    }
    ops.push({ type: 'put', key: `h\x00${record[0]}`, value: JSON.stringify(record) });
    if (ops.length >= batchSize) {
      await store.batch(ops);
      ops = [];
    }
  }
  await store.batch(ops, { sync: true });
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return seconds;
}

/** RSS and peak RSS of a process, MiB, from /proc. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number; anonMiB: number; fileMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024, anonMiB: kib('RssAnon') / 1024, fileMiB: kib('RssFile') / 1024 };
}

/** Streams the CSV to the server's import API; returns seconds and the report. */
export async function importThroughApi(server: ChildServer, token: string, file: string): Promise<{ seconds: number; report: { created: number; invalid: number }; peakRssMiB: number }> {
  let peakRssMiB = 0;
  const sampler = setInterval(() => (peakRssMiB = Math.max(peakRssMiB, memoryOf(server.child.pid!).rssMiB)), 250);
  const started = performance.now();
  try {
    const res = await fetch(`http://127.0.0.1:${server.addresses.http}/api/v1/devices/import?source=${path.basename(file)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const report = (await res.json()) as { created: number; invalid: number };
    if (res.status !== 200) throw new Error(`import failed: ${res.status} ${JSON.stringify(report)}`);
    return { seconds: (performance.now() - started) / 1000, report, peakRssMiB };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * Sequential lookups of random hubs by ID through the HTTP API, over one keep-alive connection
 * (node:http, lighter than fetch so the client adds little to the tail); latencies in ms, sorted,
 * after a warm-up.
 */
export async function lookupLatencies(server: ChildServer, token: string, hubs: number, lookups: number, warmUp = 2000): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const get = (id: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.addresses.http, path: `/api/v1/devices/${id}`, agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(res.statusCode) : reject(new Error(`lookup of ${id} failed: ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
  const latencies: number[] = [];
  try {
    for (let i = 0; i < warmUp + lookups; i++) {
      const id = hubId(Math.floor(Math.random() * hubs));
      const started = performance.now();
      await get(id);
      if (i >= warmUp) latencies.push(performance.now() - started);
    }
  } finally {
    agent.destroy();
  }
  return latencies.sort((a, b) => a - b);
}

export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
