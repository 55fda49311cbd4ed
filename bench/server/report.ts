import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'BENCHMARKS.md');

/** Replaces (or adds) the `## Server` section of BENCHMARKS.md; other sections are left alone. */
export function writeBenchmarkSection(lines: string[]): void {
  const cpus = os.cpus();
  const section = [
    '## Server',
    '',
    `\`npm run bench:server\` on ${new Date().toISOString().slice(0, 10)}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'}, Node ${process.version}:`,
    '',
    ...lines.map((l) => `- ${l}`),
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
