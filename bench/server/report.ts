import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'BENCHMARKS.md');

/** What the figures do not show by themselves (from runs with stages switched off, noisy ±30 %). */
const NOTES = [
  'Durable results are CPU-bound on the main thread (event-loop utilisation about 0.94 while',
  'measuring), not fsync-bound: with the same clients, the broker with its auth, ACL and one',
  'application ack per rig per group alone reaches about 35 000/s; adding zod validation of each',
  'result about 24 000/s; adding the synced write (group commit) about 16 000/s; adding the',
  'inventory update 9 000-16 000/s. Turning fsync off changes little. Reaching 0.6 would need the',
  'validation and the inventory update off the main thread (not done).',
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
