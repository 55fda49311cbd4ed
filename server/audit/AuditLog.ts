import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { withFileLock } from '../datadir/fileLock.ts';
import { AuditHead, type AuditAnchor } from './head.ts';
import { checkEntry, GENESIS_HASH, sealEntry, type AuditEntry, type AuditInput } from './entry.ts';

export interface AuditVerification {
  ok: boolean;
  entries: number;
  lastHash: string;
  /** The first entry that does not check out. */
  firstBad?: { line: number; seq?: number; reason: string };
}

export type { AuditAnchor };

/**
 * The append-only audit log: `audit.jsonl` in the data dir, one hash-chained JSON entry a line.
 * The server and the CLI (`hubflash rig add`) both append, serialised by a lock file.
 */
export class AuditLog {
  private tail = Promise.resolve();
  private knownSize = -1;
  private lastSeq = 0;
  private lastHash = GENESIS_HASH;
  /** The newest entry ever appended, kept beside the log: removing entries from the end shows. */
  readonly head: AuditHead;

  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.head = new AuditHead(`${file}.head`);
  }

  static inDataDir(dataDir: string): AuditLog {
    return new AuditLog(path.join(dataDir, 'audit.jsonl'));
  }

  /** Appends entries in order; with `sync`, they are on disk when this resolves. */
  append(inputs: readonly AuditInput[], options: { sync?: boolean } = {}): Promise<AuditEntry[]> {
    const run = this.tail.then(() => withFileLock(`${this.file}.lock`, () => this.appendLocked(inputs, options.sync ?? true)));
    this.tail = run.then(() => undefined, () => undefined);
    return run;
  }

  private async appendLocked(inputs: readonly AuditInput[], sync: boolean): Promise<AuditEntry[]> {
    const size = existsSync(this.file) ? (await stat(this.file)).size : 0;
    if (size !== this.knownSize) await this.readTail(size);
    const at = new Date().toISOString();
    const tail = { seq: this.lastSeq, hash: this.lastHash };
    const entries = inputs.map((input) => {
      const entry = sealEntry(input, this.lastSeq + 1, this.lastHash, at);
      this.lastSeq = entry.seq;
      this.lastHash = entry.hash;
      return entry;
    });
    const text = entries.map((e) => `${JSON.stringify(e)}\n`).join('');
    const fh = await open(this.file, 'a');
    try {
      await fh.write(text);
      if (sync) await fh.datasync();
    } finally {
      await fh.close();
    }
    this.knownSize = size + Buffer.byteLength(text);
    // After the entries are on disk, so the head never names an entry the log may not hold.
    const last = entries[entries.length - 1];
    if (last) await this.head.advance(tail, { seq: last.seq, hash: last.hash });
    return entries;
  }

  /** Another process appended (or this is the first append): read the last entry for its seq and hash. */
  private async readTail(size: number): Promise<void> {
    this.knownSize = size;
    this.lastSeq = 0;
    this.lastHash = GENESIS_HASH;
    if (size === 0) return;
    const fh = await open(this.file, 'r');
    try {
      const len = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, size - len);
      const lines = buf.toString('utf8').split('\n').filter((l) => l.trim() !== '');
      const last = JSON.parse(lines[lines.length - 1] ?? '{}') as Partial<AuditEntry>;
      this.lastSeq = last.seq ?? 0;
      this.lastHash = last.hash ?? GENESIS_HASH;
    } finally {
      await fh.close();
    }
  }

  /** Entries with seq > afterSeq, at most `limit`. */
  async list(afterSeq = 0, limit = 100): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    for await (const { entry } of this.lines()) {
      if (entry && typeof entry.seq === 'number' && entry.seq > afterSeq) out.push(entry);
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * Re-computes the whole chain; reports the first entry that was edited, removed or inserted.
   * The chain must also reach the head kept beside the log (entries removed from the end) and
   * `expect`, an entry the caller noted earlier (`hubflash audit verify` prints the last one).
   */
  async verify(expect?: AuditAnchor): Promise<AuditVerification> {
    const head = await this.head.read();
    if (head === 'unreadable') {
      const reason = `its head file ${this.head.file} does not hold an entry (it was edited): restore it from a backup, or remove it once the log itself is known good (the next append writes a new one)`;
      return { ok: false, entries: 0, lastHash: GENESIS_HASH, firstBad: { line: 0, reason } };
    }
    const anchors = [head, expect].filter((a): a is AuditAnchor => a !== undefined);
    const seen = new Map<number, { hash: string; line: number }>();
    let prevSeq = 0;
    let prevHash = GENESIS_HASH;
    let entries = 0;
    let lastLine = 0;
    for await (const { line, entry, error } of this.lines()) {
      const check = error ? { ok: false as const, reason: error } : checkEntry(entry, prevSeq, prevHash);
      if (!check.ok) {
        return { ok: false, entries, lastHash: prevHash, firstBad: { line, ...(entry?.seq !== undefined ? { seq: entry.seq } : {}), reason: check.reason } };
      }
      entries++;
      prevSeq = entry!.seq;
      prevHash = entry!.hash;
      lastLine = line;
      if (anchors.some((a) => a.seq === prevSeq)) seen.set(prevSeq, { hash: prevHash, line });
    }
    for (const anchor of anchors) {
      const held = seen.get(anchor.seq);
      if (held?.hash === anchor.hash) continue;
      const reason = held === undefined
        ? `the log ends at entry ${prevSeq} but entry ${anchor.seq} was written (${anchor === expect ? 'as expected' : 'recorded in its head file'}): entries were removed from the end`
        : `entry ${anchor.seq} is not the one written (its hash differs from the ${anchor === expect ? 'expected one' : "head file's"}): the end of the log was replaced`;
      return { ok: false, entries, lastHash: prevHash, firstBad: { line: held === undefined ? lastLine + 1 : held.line, seq: anchor.seq, reason } };
    }
    return { ok: true, entries, lastHash: prevHash };
  }

  private async *lines(): AsyncGenerator<{ line: number; entry?: AuditEntry; error?: string }> {
    if (!existsSync(this.file)) return;
    const rl = createInterface({ input: createReadStream(this.file), crlfDelay: Infinity });
    let line = 0;
    try {
      for await (const text of rl) {
        line++;
        if (text.trim() === '') continue;
        try {
          yield { line, entry: JSON.parse(text) as AuditEntry };
        } catch {
          yield { line, error: 'not JSON' };
        }
      }
    } finally {
      rl.close();
    }
  }
}
