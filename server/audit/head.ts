import { readFile, rename, writeFile } from 'node:fs/promises';

/** An entry of the audit log named by sequence number and hash. */
export interface AuditAnchor {
  seq: number;
  hash: string;
}

interface StoredHead extends AuditAnchor {
  /** An append found the log short of (or different at) this entry: the head stays here for good. */
  broken?: boolean;
}

/** `SEQ:HASH`, as `hubflash audit verify` prints an entry to keep. */
export const ANCHOR_PATTERN = /^(\d+):([0-9a-f]{64})$/;

/** What the head file holds: nothing yet, a head, or text that is not one (it was edited). */
export type HeadRead = StoredHead | undefined | 'unreadable';

/** Reads `SEQ:HASH`; undefined when it is not one. */
export function parseAnchor(text: string): AuditAnchor | undefined {
  const m = ANCHOR_PATTERN.exec(text.trim());
  return m ? { seq: Number(m[1]), hash: m[2]! } : undefined;
}

/**
 * The head of the audit log, in a small file beside it: the newest entry ever appended. A hash
 * chain shows an entry edited, inserted or removed in the middle, but not entries cut off the
 * end; the head does (and an anchor the operator keeps elsewhere does even if both files are
 * cut). It moves only along the chain it names: an append that finds the log short of the head,
 * or different at it, marks the head broken and it stays on the lost entry, so every later check
 * fails until someone restores the log (appends go on: results must still be stored). Written
 * after the entries are synced; a crash may leave it behind the log (still true of it), never ahead.
 */
export class AuditHead {
  constructor(readonly file: string) {}

  async read(): Promise<HeadRead> {
    const text = await readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (text === undefined) return undefined;
    try {
      const { seq, hash, broken } = JSON.parse(text) as Partial<StoredHead>;
      if (typeof seq !== 'number' || typeof hash !== 'string') return 'unreadable';
      return { seq, hash, ...(broken === true ? { broken } : {}) };
    } catch {
      return 'unreadable';
    }
  }

  /**
   * After entries were appended to a log whose last entry was `from`: moves the head to `to`.
   * Call under the log's lock (other processes append too).
   */
  async advance(from: AuditAnchor, to: AuditAnchor): Promise<void> {
    const current = await this.read();
    // An edited head is evidence too: it stays as it is for verification to report.
    if (current === 'unreadable' || current?.broken) return;
    if (current && (from.seq < current.seq || (from.seq === current.seq && from.hash !== current.hash))) {
      await this.write({ ...current, broken: true });
      return;
    }
    if (current && to.seq <= current.seq) return;
    await this.write(to);
  }

  private async write(head: StoredHead): Promise<void> {
    const tmp = `${this.file}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ ...head, at: new Date().toISOString() })}\n`);
    await rename(tmp, this.file);
  }
}
