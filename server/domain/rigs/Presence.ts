import type { HeartbeatMessage, ProgressMessage, StatusMessage } from '../../../protocol/mqtt/index.ts';
import type { Store } from '../../storage/Store.ts';
import { prefixRange, readRange } from '../../storage/Store.ts';

/** A hub a rig is flashing now, from its progress messages. */
export interface FlashingNow {
  chfId: string;
  slot?: string;
  phase: string;
  bytesSent: number;
  bytesTotal: number;
  rateBytesPerSecond: number;
  targetVersion?: string;
  jobId?: string;
  since: string;
  updatedAt: string;
}

export interface RigPresence {
  rigId: string;
  /** From the rig's retained status and last will. `unknown`: never heard from. */
  state: 'online' | 'offline' | 'unknown';
  /** The MQTT connection is up right now. */
  connected: boolean;
  /** Online, but no heartbeat or message for longer than the stale limit. */
  stale: boolean;
  seq?: number;
  lastSeen?: string;
  agentVersion?: string;
  slots?: { total: number; busy: number };
  outboxPending?: number;
  flashing: FlashingNow[];
}

interface Tracked {
  state: 'online' | 'offline' | 'unknown';
  connected: boolean;
  seq?: number;
  lastSeenMs?: number;
  agentVersion?: string;
  slots?: { total: number; busy: number };
  outboxPending?: number;
  flashing: Map<string, FlashingNow>;
}

const KEY_PREFIX = 'rg\x00';

/**
 * Where each rig is: online/offline from its status messages (the birth it publishes and the
 * will the broker publishes for it; a lower `seq` than already seen is a late will and ignored),
 * last seen from any message, and what it is flashing now from its progress messages.
 * State and last seen are saved (unsynced) so a restarted server still knows them.
 */
export class Presence {
  private readonly rigs = new Map<string, Tracked>();

  constructor(
    private readonly store: Store,
    private readonly staleAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async open(): Promise<void> {
    for (const [key, value] of await readRange(this.store, prefixRange(KEY_PREFIX))) {
      const saved = JSON.parse(value) as { state: Tracked['state']; seq?: number; lastSeenMs?: number; agentVersion?: string };
      this.rigs.set(key.slice(KEY_PREFIX.length), { ...saved, connected: false, flashing: new Map() });
    }
  }

  private rig(rigId: string): Tracked {
    let r = this.rigs.get(rigId);
    if (!r) {
      r = { state: 'unknown', connected: false, flashing: new Map() };
      this.rigs.set(rigId, r);
    }
    return r;
  }

  /** Returns false when the status is older than one already seen (and so ignored). */
  status(rigId: string, m: StatusMessage): boolean {
    const r = this.rig(rigId);
    if (r.seq !== undefined && m.seq < r.seq) return false;
    r.seq = m.seq;
    r.state = m.state;
    r.lastSeenMs = this.now();
    if (m.agentVersion) r.agentVersion = m.agentVersion;
    if (m.state === 'offline') r.flashing.clear();
    this.save(rigId, r);
    return true;
  }

  heartbeat(rigId: string, m: HeartbeatMessage): void {
    const r = this.rig(rigId);
    r.lastSeenMs = this.now();
    if (m.slots) r.slots = m.slots;
    if (m.outboxPending !== undefined) r.outboxPending = m.outboxPending;
  }

  /** Returns true when this is the first progress of a flash (a new attempt on that hub). */
  progress(rigId: string, m: ProgressMessage): boolean {
    const r = this.rig(rigId);
    const at = new Date(this.now()).toISOString();
    r.lastSeenMs = this.now();
    const current = r.flashing.get(m.chfId);
    if (m.phase === 'done') {
      r.flashing.delete(m.chfId);
      return false;
    }
    r.flashing.set(m.chfId, {
      chfId: m.chfId,
      ...(m.slot ? { slot: m.slot } : {}),
      phase: m.phase,
      bytesSent: m.bytesSent,
      bytesTotal: m.bytesTotal,
      rateBytesPerSecond: m.rateBytesPerSecond,
      ...(m.targetVersion ? { targetVersion: m.targetVersion } : {}),
      ...(m.jobId ? { jobId: m.jobId } : {}),
      since: current?.since ?? at,
      updatedAt: at,
    });
    return current === undefined;
  }

  /** A result ends the hub's entry in "flashing now". */
  finished(rigId: string, chfId: string): void {
    this.rigs.get(rigId)?.flashing.delete(chfId);
  }

  connection(rigId: string, connected: boolean): void {
    const r = this.rig(rigId);
    r.connected = connected;
    r.lastSeenMs = this.now();
    this.save(rigId, r);
  }

  /** Every rig in `registered` plus any other heard from, in ID order. */
  list(registered: readonly string[]): RigPresence[] {
    const ids = [...new Set([...registered, ...this.rigs.keys()])].sort();
    return ids.map((id) => this.get(id));
  }

  get(rigId: string): RigPresence {
    const r = this.rigs.get(rigId) ?? { state: 'unknown' as const, connected: false, flashing: new Map<string, FlashingNow>() };
    const silent = r.lastSeenMs === undefined ? Infinity : this.now() - r.lastSeenMs;
    // Entries not updated within the stale limit are flashes the rig gave up on without a result.
    const flashing = [...r.flashing.values()].filter((f) => this.now() - Date.parse(f.updatedAt) <= this.staleAfterMs);
    return {
      rigId,
      state: r.state,
      connected: r.connected,
      stale: r.state === 'online' && silent > this.staleAfterMs,
      ...(r.seq !== undefined ? { seq: r.seq } : {}),
      ...(r.lastSeenMs !== undefined ? { lastSeen: new Date(r.lastSeenMs).toISOString() } : {}),
      ...(r.agentVersion ? { agentVersion: r.agentVersion } : {}),
      ...(r.slots ? { slots: r.slots } : {}),
      ...(r.outboxPending !== undefined ? { outboxPending: r.outboxPending } : {}),
      flashing,
    };
  }

  private save(rigId: string, r: Tracked): void {
    const value = JSON.stringify({ state: r.state, seq: r.seq, lastSeenMs: r.lastSeenMs, agentVersion: r.agentVersion });
    // Best effort: presence is rebuilt from the rigs' next messages anyway.
    this.store.batch([{ type: 'put', key: KEY_PREFIX + rigId, value }]).catch(() => undefined);
  }
}
