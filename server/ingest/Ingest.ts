import type { Logger } from 'pino';
import { ErrorCode, HubflashError, isHubflashError } from '../../protocol/errors/index.ts';
import { decodeHeartbeat, decodeProgress, decodeStatus } from '../../protocol/mqtt/index.ts';
import type { Inventory } from '../domain/inventory/Inventory.ts';
import type { Presence } from '../domain/rigs/Presence.ts';
import type { ServerHooks } from '../hooks.ts';
import { decodeResultPayload } from './decodeResult.ts';
import type { IngestStats } from './IngestStats.ts';
import type { ResultIngest } from './ResultIngest.ts';

/**
 * Validates each rig → server message against its schema and hands it on: presence for status,
 * heartbeat and progress; the durable pipeline for results; plugins for other kinds. A message
 * that fails validation, or whose body names another rig than its sender, is counted, logged
 * with its sender, and changes nothing.
 */
export class Ingest {
  constructor(
    private readonly presence: Presence,
    private readonly results: ResultIngest,
    private readonly inventory: Inventory,
    private readonly hooks: ServerHooks,
    private readonly stats: IngestStats,
    private readonly log: Logger,
  ) {}

  handle(rigId: string, kind: string, payload: Buffer): void {
    this.stats.countReceived(kind);
    try {
      this.dispatch(rigId, kind, payload);
    } catch (err) {
      if (!isHubflashError(err)) throw err;
      this.stats.countInvalid(rigId);
      this.log.warn({ rigId, kind, code: err.toJSON().code, reason: err.message }, `invalid ${kind} message from rig ${rigId}`);
    }
  }

  private dispatch(rigId: string, kind: string, payload: Buffer): void {
    switch (kind) {
      case 'status': {
        const m = this.own(rigId, decodeStatus(payload));
        if (!this.presence.status(rigId, m)) this.log.info({ rigId, seq: m.seq }, 'ignored a status older than the last one (a late will)');
        return;
      }
      case 'heartbeat':
        this.presence.heartbeat(rigId, this.own(rigId, decodeHeartbeat(payload)));
        return;
      case 'progress': {
        const m = this.own(rigId, decodeProgress(payload));
        if (this.presence.progress(rigId, m)) {
          const event = { type: 'flash-attempt' as const, at: m.at, by: `rig:${rigId}`, details: { slot: m.slot, targetVersion: m.targetVersion, jobId: m.jobId } };
          this.inventory.appendEvents([{ chfId: m.chfId, event }]).catch((err: unknown) => this.log.error({ err }, 'recording a flash attempt failed'));
        }
        return;
      }
      case 'results': {
        const { result, text } = decodeResultPayload(payload);
        this.results.submit(rigId, this.own(rigId, result), text);
        return;
      }
      default: {
        const handler = this.hooks.rigMessages.get(kind);
        if (!handler) {
          this.log.debug({ rigId, kind }, 'no handler for this rig message kind');
          return;
        }
        Promise.resolve(handler(rigId, payload)).catch((err: unknown) => {
          if (isHubflashError(err)) {
            this.stats.countInvalid(rigId);
            this.log.warn({ rigId, kind, code: err.toJSON().code, reason: err.message }, `invalid ${kind} message from rig ${rigId}`);
          } else this.log.error({ err, rigId, kind }, `handling a ${kind} message failed`);
        });
      }
    }
  }

  /** A rig speaks only for itself: the body's rigId must be the sender's. */
  private own<M extends { rigId: string }>(rigId: string, m: M): M {
    if (m.rigId !== rigId) {
      throw new HubflashError(ErrorCode.InvalidMessage, `The message says it is from rig ${m.rigId} but rig ${rigId} sent it`, { rigId, claimed: m.rigId });
    }
    return m;
  }
}
