import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../server/audit/AuditLog.ts';
import { sealEntry, type AuditEntry } from '../../../server/audit/entry.ts';
import { runCli } from '../helpers/cli.ts';

/** The log's lines, without the empty one after the last newline. */
const linesOf = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
const keep = (file: string, n: number): void => writeFileSync(file, linesOf(file).slice(0, n).map((l) => `${l}\n`).join(''));

describe('the audit head: entries cut off the end of the log', () => {
  let dir: string;
  let log: AuditLog;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hubflash-audit-'));
    log = AuditLog.inDataDir(dir);
    for (let i = 0; i < 5; i++) await log.append([{ actor: 'test', action: 'thing.done', subject: `S-${i}` }]);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('an intact log reaches its head', async () => {
    expect(await log.verify()).toMatchObject({ ok: true, entries: 5 });
    expect(JSON.parse(readFileSync(log.head.file, 'utf8'))).toMatchObject({ seq: 5 });
  });

  it('catches the last entries removed, and keeps catching it after later appends', async () => {
    keep(log.file, 3);
    const cut = await log.verify();
    expect(cut).toMatchObject({ ok: false, entries: 3, firstBad: { line: 4, seq: 5 } });
    expect(cut.firstBad!.reason).toContain('the log ends at entry 3 but entry 5 was written');
    // The server goes on appending (results must still be stored); the head keeps the evidence.
    const server = AuditLog.inDataDir(dir);
    await server.append([{ actor: 'test', action: 'thing.done' }, { actor: 'test', action: 'thing.done' }, { actor: 'test', action: 'thing.done' }]);
    await server.append([{ actor: 'test', action: 'thing.done' }]);
    const later = await log.verify();
    expect([later.ok, later.entries, later.firstBad?.reason]).toEqual([false, 7, expect.stringContaining('entry 5 is not the one written')]);
    expect(JSON.parse(readFileSync(log.head.file, 'utf8'))).toMatchObject({ seq: 5, broken: true });
  });

  it('catches a forged end that re-chains correctly', async () => {
    const lines = linesOf(log.file).map((l) => JSON.parse(l) as AuditEntry);
    const forged = sealEntry({ actor: 'test', action: 'thing.undone' }, 5, lines[3]!.hash, lines[4]!.at);
    writeFileSync(log.file, [...lines.slice(0, 4), forged].map((e) => `${JSON.stringify(e)}\n`).join(''));
    expect((await log.verify()).firstBad?.reason).toContain('entry 5 is not the one written');
  });

  it('catches an entry in the middle rewritten with a fresh hash of its own: the next entry no longer links to it', async () => {
    const lines = linesOf(log.file).map((l) => JSON.parse(l) as AuditEntry);
    const forged = sealEntry({ actor: 'test', action: 'thing.undone', subject: 'S-2' }, 3, lines[1]!.hash, lines[2]!.at);
    writeFileSync(log.file, [...lines.slice(0, 2), forged, ...lines.slice(3)].map((e) => `${JSON.stringify(e)}\n`).join(''));
    const check = await log.verify();
    expect([check.ok, check.firstBad?.line, check.firstBad?.reason]).toEqual([false, 4, expect.stringContaining('its link to the previous entry does not match')]);
  });

  it('with both files cut, an entry the operator noted still catches it', async () => {
    const noted = await log.verify();
    keep(log.file, 2);
    unlinkSync(log.head.file);
    expect((await log.verify()).ok).toBe(true); // nothing left on the machine to tell
    const check = await log.verify({ seq: noted.entries, hash: noted.lastHash });
    expect([check.ok, check.firstBad?.reason]).toEqual([false, expect.stringContaining('entry 5 was written (as expected)')]);
  });

  it('a head left behind by a crash is still true of the log and moves on with the next append', async () => {
    const entries = linesOf(log.file).map((l) => JSON.parse(l) as AuditEntry);
    writeFileSync(log.head.file, JSON.stringify({ seq: 3, hash: entries[2]!.hash }));
    expect((await log.verify()).ok).toBe(true);
    await log.append([{ actor: 'test', action: 'thing.done' }]);
    expect(JSON.parse(readFileSync(log.head.file, 'utf8'))).toMatchObject({ seq: 6 });
  });

  it('a head file that does not parse fails verification rather than being skipped', async () => {
    writeFileSync(log.head.file, 'not json');
    expect((await log.verify()).ok).toBe(false);
    // It says which file and what to do, and an append leaves the evidence as it is.
    expect((await log.verify()).firstBad?.reason).toContain(`${log.head.file} does not hold an entry`);
    await log.append([{ actor: 'test', action: 'thing.done' }]);
    expect(readFileSync(log.head.file, 'utf8')).toBe('not json');
  });

  it('hubflash audit verify prints the anchor to keep, and checks it with --expect', async () => {
    const ok = await runCli(['audit', 'verify', '--data-dir', dir]);
    const anchor = /--expect (\d+:[0-9a-f]{64})/.exec(ok.stdout)?.[1];
    expect([ok.exitCode, anchor?.startsWith('5:')]).toEqual([0, true]);
    expect((await runCli(['audit', 'verify', '--data-dir', dir, '--expect', anchor!])).exitCode).toBe(0);
    keep(log.file, 4);
    unlinkSync(log.head.file);
    const cut = await runCli(['audit', 'verify', '--data-dir', dir, '--expect', anchor!]);
    expect([cut.exitCode, cut.stderr]).toEqual([1, expect.stringMatching(/HF0619.*entries were removed from the end|entries were removed from the end.*HF0619/s)]);
    const bad = await runCli(['audit', 'verify', '--data-dir', dir, '--expect', '5:nothex']);
    expect([bad.exitCode, bad.stderr]).toEqual([1, expect.stringContaining('HF0904')]);
  });
});
