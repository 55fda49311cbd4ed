import { ErrorCode, type HubflashError } from '../../protocol/errors/index.ts';
import type { Phase } from './phases.ts';
import type { SessionPolicy } from './policy.ts';

// Errors after which a reconnect and resume may succeed; any other error ends the session.
const RECOVERABLE = new Set<ErrorCode>([
  ErrorCode.LinkTimeout,
  ErrorCode.LinkWriteFailed,
  ErrorCode.LinkClosed,
  ErrorCode.DeviceBusy,
  ErrorCode.DeviceBadState,
  ErrorCode.DeviceBadCrc,
  ErrorCode.DeviceWrongOffset,
]);

const PHASE_ORDER: Record<Phase, number> = { connect: 0, identify: 1, check: 2, transfer: 3, verify: 4, activate: 5, confirm: 6, done: 7 };

/**
 * How many reconnects a session may still make: `policy.reconnects` in a row without progress,
 * each after a longer pause. Progress (bytes committed, or a phase past the transfer reached)
 * starts the count again, so a long flash through a flaky cable still finishes.
 */
export class ReconnectBudget {
  private inARow = 0;

  constructor(private readonly policy: Pick<SessionPolicy, 'reconnects' | 'reconnectDelayMs'>) {}

  /** After `error` in `phase`: the pause before reconnecting, or undefined when the error is final. */
  pauseAfter(error: HubflashError, phase: Phase): number | undefined {
    if (!RECOVERABLE.has(error.code)) return undefined;
    if (error.code === ErrorCode.LinkClosed && phase === 'connect') return undefined; // the port itself is gone
    if (++this.inARow > this.policy.reconnects) return undefined;
    return this.policy.reconnectDelayMs * this.inARow;
  }

  /** The hub committed more bytes. */
  progressed(): void {
    this.inARow = 0;
  }

  /** The session moves from one phase to another. */
  entering(from: Phase, to: Phase): void {
    if (to !== from && PHASE_ORDER[to] > PHASE_ORDER.transfer) this.inARow = 0;
  }
}
