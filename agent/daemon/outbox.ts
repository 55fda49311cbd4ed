import { Level } from 'level';
import type { ResultMessageInput } from '../../protocol/mqtt/index.ts';

/**
 * The rig's durable outbox of results. A result is written (synced to disk) before it is first
 * published, and deleted only when the server's application acknowledgement names it, so a
 * server outage of any length, a broker restart or an agent crash loses nothing. Entries keep
 * their arrival order (a zero-padded sequence in the key) so results are re-sent oldest first.
 */
export class ResultOutbox {
  /** resultId → key, for the results still waiting for an acknowledgement. */
  private readonly keys = new Map<string, string>();
  /** Results being written, by result ID. */
  private readonly adding = new Map<string, Promise<void>>();
  /** resultId → hub, for the waiting results that put their hub on its target. */
  private readonly landed = new Map<string, string>();
  private nextSeq = 0;

  private constructor(private readonly db: Level<string, string>) {}

  static async open(location: string): Promise<ResultOutbox> {
    const db = new Level<string, string>(location, { valueEncoding: 'utf8' });
    await db.open();
    const outbox = new ResultOutbox(db);
    for await (const [key, value] of db.iterator({ gte: 'q!', lt: 'q!\xff' })) {
      const result = JSON.parse(value) as ResultMessageInput;
      outbox.keys.set(result.resultId, key);
      outbox.noteLanded(result);
      outbox.nextSeq = Math.max(outbox.nextSeq, Number(key.slice(2, 18)) + 1);
    }
    return outbox;
  }

  /** How many results wait for an acknowledgement. */
  get size(): number {
    return this.keys.size;
  }

  has(resultId: string): boolean {
    return this.keys.has(resultId);
  }

  /** Whether a result that put this hub on its target (verified, already current) still waits. */
  holdsLanded(chfId: string): boolean {
    for (const hub of this.landed.values()) if (hub === chfId) return true;
    return false;
  }

  private noteLanded(result: ResultMessageInput): void {
    if (result.outcome === 'verified' || result.outcome === 'already-current') this.landed.set(result.resultId, result.hub.chfId);
  }

  /** Stores a result durably; adding the same result ID again changes nothing. */
  async add(result: ResultMessageInput): Promise<void> {
    if (this.keys.has(result.resultId)) return;
    // A second add while the first is still writing waits for it, not a second copy (whose
    // key no acknowledgement would ever delete).
    const writing = this.adding.get(result.resultId);
    if (writing) return writing;
    const key = `q!${String(this.nextSeq++).padStart(16, '0')}`;
    const write = this.db.put(key, JSON.stringify(result), { sync: true }).then(() => {
      this.keys.set(result.resultId, key);
      this.noteLanded(result);
    });
    this.adding.set(result.resultId, write);
    try {
      await write;
    } finally {
      this.adding.delete(result.resultId);
    }
  }

  /** The waiting results, oldest first (at most `limit`). */
  async pending(limit = Number.MAX_SAFE_INTEGER): Promise<ResultMessageInput[]> {
    const out: ResultMessageInput[] = [];
    for await (const value of this.db.values({ gte: 'q!', lt: 'q!\xff', limit })) {
      out.push(JSON.parse(value) as ResultMessageInput);
    }
    return out;
  }

  /** Forgets acknowledged results; returns how many were waiting. Unknown IDs are ignored. */
  async acknowledge(resultIds: readonly string[]): Promise<number> {
    // The server names a refused result twice (in resultIds and in refused): count it once.
    const keys = [...new Set(resultIds)].flatMap((id) => {
      const key = this.keys.get(id);
      return key === undefined ? [] : [[id, key] as const];
    });
    if (keys.length === 0) return 0;
    await this.db.batch(
      keys.map(([, key]) => ({ type: 'del' as const, key })),
      { sync: true },
    );
    for (const [id] of keys) {
      this.keys.delete(id);
      this.landed.delete(id);
    }
    return keys.length;
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
