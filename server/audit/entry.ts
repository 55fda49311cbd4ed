import { createHash } from 'node:crypto';

/** One line of the audit log. `hash` covers every other field, `prev` links to the entry before. */
export interface AuditEntry {
  seq: number;
  at: string;
  /** Who: `token:<id>:<name>`, `rig:<rigId>`, `cli:<user>@<host>`, `server`. */
  actor: string;
  /** What, dotted: `devices.import`, `firmware.approve`, `rig.add`, `results.recorded`… */
  action: string;
  subject?: string;
  details?: Record<string, unknown>;
  prev: string;
  hash: string;
}

export type AuditInput = Pick<AuditEntry, 'actor' | 'action'> & Partial<Pick<AuditEntry, 'subject' | 'details'>>;

export const GENESIS_HASH = '0'.repeat(64);

/** The hash of an entry: SHA-256 over its fields in a fixed order, `prev` included. */
export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const body = JSON.stringify([e.seq, e.at, e.actor, e.action, e.subject ?? null, e.details ?? null, e.prev]);
  return createHash('sha256').update(body).digest('hex');
}

export function sealEntry(input: AuditInput, seq: number, prev: string, at: string): AuditEntry {
  const unsealed: Omit<AuditEntry, 'hash'> = {
    seq,
    at,
    actor: input.actor,
    action: input.action,
    ...(input.subject !== undefined ? { subject: input.subject } : {}),
    ...(input.details !== undefined ? { details: input.details } : {}),
    prev,
  };
  return { ...unsealed, hash: entryHash(unsealed) };
}

export type ChainCheck = { ok: true } | { ok: false; reason: string };

/** Checks one parsed line against the entry before it. */
export function checkEntry(value: unknown, prevSeq: number, prevHash: string): ChainCheck {
  if (typeof value !== 'object' || value === null) return { ok: false, reason: 'not a JSON object' };
  const e = value as AuditEntry;
  if (e.seq !== prevSeq + 1) return { ok: false, reason: `sequence ${String(e.seq)} follows ${prevSeq} (an entry was removed or inserted)` };
  if (e.prev !== prevHash) return { ok: false, reason: 'its link to the previous entry does not match (an entry before it was edited or removed)' };
  const { hash, ...rest } = e;
  if (entryHash(rest) !== hash) return { ok: false, reason: 'its content does not match its hash (the entry was edited)' };
  return { ok: true };
}
