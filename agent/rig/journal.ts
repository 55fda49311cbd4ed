import { mkdirSync } from 'node:fs';
import { Level } from 'level';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { silentLogger, type AgentLogger } from '../log.ts';
import type { Checkpoint, SessionStore } from '../session/index.ts';

const PREFIX = 's!';

/**
 * The rig's journal: one record per hub and image (hub ID, image hash, committed offset, phase,
 * counters) in LevelDB on the rig's disk. Every save is a synchronous (fsync'd) write, so when a
 * session reports progress the resume point is already on disk.
 */
export class Journal implements SessionStore {
  private pending = new Map<string, string>();
  private waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private flushing = false;

  private constructor(
    private readonly db: Level<string, string>,
    private readonly log: AgentLogger,
  ) {}

  static async open(dir: string, logger: AgentLogger = silentLogger): Promise<Journal> {
    let db: Level<string, string>;
    try {
      mkdirSync(dir, { recursive: true });
      db = new Level<string, string>(dir, { valueEncoding: 'utf8' });
      await db.open();
    } catch (err) {
      throw unavailable(dir, err);
    }
    return new Journal(db, logger);
  }

  async load(chfId: string, imageHash: string): Promise<Checkpoint | undefined> {
    let text: string | undefined;
    try {
      text = await this.db.get(key(chfId, imageHash));
    } catch (err) {
      throw unavailable(this.db.location, err);
    }
    return text === undefined ? undefined : this.parse(key(chfId, imageHash), text);
  }

  /**
   * Durable once it resolves. Saves from every session are grouped into one synchronous batch
   * at a time (a group commit), so many hubs cost one fsync per round, and the journal holds at
   * most one thread of libuv's pool, which serial ports need for their reads and writes.
   */
  save(checkpoint: Checkpoint): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.set(key(checkpoint.chfId, checkpoint.imageHash), JSON.stringify(checkpoint));
      this.waiters.push({ resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.waiters.length > 0) {
      const ops = [...this.pending].map(([k, value]) => ({ type: 'put' as const, key: k, value }));
      const waiters = this.waiters;
      this.pending = new Map();
      this.waiters = [];
      try {
        await this.db.batch(ops, { sync: true });
        for (const w of waiters) w.resolve();
      } catch (err) {
        const error = unavailable(this.db.location, err);
        for (const w of waiters) w.reject(error);
      }
    }
    this.flushing = false;
  }

  /** Every record, e.g. to list unfinished flashes at start-up. */
  async list(): Promise<Checkpoint[]> {
    const out: Checkpoint[] = [];
    for await (const [k, v] of this.db.iterator({ gte: PREFIX, lt: `${PREFIX}\xff` })) {
      const c = this.parse(k, v);
      if (c) out.push(c);
    }
    return out;
  }

  async close(): Promise<void> {
    while (this.flushing) await new Promise((r) => setImmediate(r));
    await this.db.close();
  }

  /** A record that does not read back is ignored (the hub's offsets decide) and logged. */
  private parse(k: string, text: string): Checkpoint | undefined {
    try {
      const c = JSON.parse(text) as Checkpoint;
      if (typeof c.chfId === 'string' && typeof c.imageHash === 'string' && Number.isInteger(c.committedOffset)) return c;
    } catch {
      // fall through
    }
    this.log.warn({ code: 'HF0504', key: k }, 'a journal record does not read back; ignoring it, the hub decides');
    return undefined;
  }
}

function key(chfId: string, imageHash: string): string {
  return `${PREFIX}${chfId}!${imageHash}`;
}

function unavailable(dir: string, cause: unknown): HubflashError {
  const why = cause instanceof Error ? ((cause as { cause?: Error }).cause?.message ?? cause.message) : String(cause);
  return new HubflashError(ErrorCode.JournalUnavailable, `The journal in ${dir} cannot be used: ${why}. Check the disk, or whether another agent holds it`, { dir }, { cause });
}
