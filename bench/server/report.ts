import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'BENCHMARKS.md');

/** What the figures do not show by themselves (from separate runs with stages switched off; noisy ±20 %). */
const NOTES = [
  'The server runs on two threads: the broker (MQTT, authentication, access rules) on the main',
  'thread, here beside the 20 mqtt.js clients, and storage, ingest, the domain and the API in a',
  'worker thread. Neither is saturated: the process is CPU-bound as a whole on this shared 2-core',
  'machine. CPU per durable result (core only, about 18 000/s, per OS thread): clients and broker',
  "about 23 µs, storage thread about 24 µs (LevelDB puts about 7, validation about 6), LevelDB's",
  "own threads (memtable writes, reads, compaction) about 20 µs, V8's helper threads (mostly",
  'garbage collection) about 30 µs; about 95 µs in all, against about 20 µs for a raw QoS 1',
  'message on one thread. With the storage path replaced by an immediate ack (validation only)',
  'the same setup reaches about 0.7 of raw; with the LevelDB batch and the audit log switched',
  'off, about 0.45. So 0.6 would need the whole storage path (LevelDB and GC included) under',
  'about 25 µs of CPU per result, which the 7 LevelDB writes and 2 reads per result (10 and 5',
  'with the orders plugin) do not allow here. Pipelining groups (preparing group k+1 while k is',
  'synced) and larger V8 young generations measured no gain and were left out.',
];

/** Replaces (or adds) the `## Server` section of BENCHMARKS.md; other sections are left alone. */
export function writeBenchmarkSection(lines: string[]): void {
  const cpus = os.cpus();
  const section = [
    '## Server',
    '',
    `\`npm run bench:server\` on ${new Date().toISOString().slice(0, 10)}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)} at the end (the machine is shared):`,
    '',
    ...lines.map((l) => `- ${l}`),
    '',
    ...NOTES,
    '',
  ].join('\n');
  const text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '# Benchmarks\n\n';
  const start = text.indexOf('\n## Server\n');
  let next: string;
  if (start >= 0) {
    const end = text.indexOf('\n## ', start + 1);
    next = text.slice(0, start + 1) + section + (end >= 0 ? `\n${text.slice(end + 1)}` : '');
  } else {
    next = `${text.trimEnd()}\n\n${section}`;
  }
  writeFileSync(FILE, next);
}
