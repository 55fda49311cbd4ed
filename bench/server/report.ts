import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'BENCHMARKS.md');

/** What the figures do not show by themselves (from `npm run bench:storage` and separate runs with parts switched off; noisy ±20 %). */
const NOTES = [
  'The server runs on two threads: the broker (MQTT, authentication, access rules) on the main',
  'thread, here beside the 20 mqtt.js clients, and storage, ingest, the domain and the API in a',
  'worker thread. Neither is saturated: the process is CPU-bound as a whole on this shared 2-core',
  'machine. A raw QoS 1 message costs about 20 µs on the broker thread, a durable result about 22',
  '(its ack is one message per rig per group). `npm run bench:storage` drives the storage side',
  'alone (no broker; per OS thread from /proc/self/task): core only 55–72 µs per result (the',
  "storage thread's JavaScript 19–26, LevelDB's compaction thread 22–29, the libuv pool and",
  "V8's helpers 14–17) for 7 LevelDB entries and 1.4 KiB of keys and values per result (the",
  'result as the rig sent it 778 B, its history event 266 B, the hub 263 B, 4 index entries of a',
  'new hub); with the orders plugin 100–103 µs (37–38, 40–41, 25) for 9 entries and 2.2 KiB (its',
  'reading of the hub 413 B, its SMI change record 393 B). At 0.6 of raw the broker thread takes',
  'about 0.65 of a core, leaving the storage side about 1.3 cores: under about 45 µs per result',
  'in all, which neither the core (55–72) nor the server with orders (100) reaches on LevelDB here.',
  'Leaving out, one at a time, the history event saved about 13 µs per result, the stored result',
  '20 µs, the four index entries 17 µs: each is a rule of the issue, so they stay.',
  '',
  'Changed this round: result IDs are UUIDv7 (time-ordered, made by the agent), so new result',
  'keys sit together in LevelDB; the orders plugin no longer writes and reads an "applied" marker',
  'per result (the core runs a hook once per result, in the batch that stores it). Measured and',
  'left out (no gain beyond the noise, or a cost elsewhere): LevelDB without snappy, 8 or 32 MiB',
  'table files, 16 KiB blocks, results stored under a global sequence (with an ID → sequence',
  'entry), pipelining groups, a 64 MiB memtable (compaction moves after the timed part, not',
  'away), a 64–96 MiB young generation for the storage thread (about 10 % less CPU per result,',
  'but the million-hub import passes the 300 MiB memory target). Each durable round warms a',
  'fresh server up with 1 000 results per rig before timing, and rigs keep 500 results in flight,',
  "as a rig's outbox flushing a backlog does; the third line keeps the earlier window of 100.",
  '',
  'Also measured and left out, later that day: the results and SMI change records in a second LevelDB',
  'of their own, whose keys arrive in order so that its compaction is mostly trivial moves',
  "(LevelDB's compaction thread 18 instead of 25–27 µs per result for the core, but the second",
  "database's own writes take most of that back: 61 against 66 µs in all; with orders 94–99 µs",
  'either way); decoding each result when its group is written rather than on arrival (63–67',
  'against 63 µs); groups of at most 250 or 100 results (70 and 85 µs: more syncs and more',
  'compaction per result) or of 2 500 or 5 000 (61 µs, as with 1 000). A 64 MiB young generation',
  'measured 52 against 62–66 µs that time (about 18 %), with the memory cost above.',
  '',
  'Measured and left out at the next stop: each history event\'s body under a time-ordered key of',
  'its own, with only an empty entry under the hub\'s key to list it by, so that the entries keyed',
  'by hub (written all over the key space, the costly ones to compact) shrink from 675 to 451 bytes',
  'per result. It measured 65 and 66 µs per result against 62 µs without it (compaction 26–27',
  'against 25 µs): compaction here costs by the bytes written in all, not by where their keys fall.',
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
