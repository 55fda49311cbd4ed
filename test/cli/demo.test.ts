import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve(import.meta.dirname, '../../bin/hubflash.js');
const dir = mkdtempSync(path.join(tmpdir(), 'hubflash-demo-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const demo = (...args: string[]): { status: number | null; stderr: string } => {
  const run = spawnSync(process.execPath, [BIN, 'demo', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stderr: run.stderr };
};

describe('hubflash demo refuses bad input before it starts anything', () => {
  it('names an option that is not a whole number in range', () => {
    const run = demo('--hubs', 'abc');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/--hubs must be a whole number from 1 to 256.*\(HF0904\)/);
    expect(run.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('never wipes a folder it did not make', () => {
    writeFileSync(path.join(dir, 'keep.txt'), 'a real server lives here');
    const run = demo('--data-dir', dir, '--mqtt-port', '0', '--http-port', '0');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/holds data the demo did not make.*\(HF0903\)/);
    expect(readFileSync(path.join(dir, 'keep.txt'), 'utf8')).toBe('a real server lives here');
  });
});
