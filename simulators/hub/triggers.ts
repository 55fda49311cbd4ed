import type { HubFaults, ProtocolStep, Trigger } from '../faults/types.ts';

export type FaultAction = { kind: 'power-loss' } | { kind: 'disconnect' } | { kind: 'stall'; ms: number };

interface Armed {
  at: Trigger;
  action: FaultAction;
}

/**
 * The one-shot faults of a hub, armed from its HubFaults: each fires once, the first time the
 * transfer reaches its offset, the hub reaches its step, or its time comes. Faults pinned to a
 * flash operation number are armed on the flash itself.
 */
export class FaultTriggers {
  private armed: Armed[] = [];

  constructor(faults: HubFaults) {
    for (const t of faults.powerLoss ?? []) if (!('op' in t)) this.armed.push({ at: t, action: { kind: 'power-loss' } });
    for (const t of faults.disconnect ?? []) this.armed.push({ at: t, action: { kind: 'disconnect' } });
    for (const s of faults.stall ?? []) this.armed.push({ at: s.at, action: { kind: 'stall', ms: s.ms } });
  }

  /** Faults whose offset the transfer has now reached. */
  atOffset(receivedOffset: number): FaultAction[] {
    return this.fire((t) => 'offset' in t && receivedOffset >= t.offset);
  }

  atStep(step: ProtocolStep): FaultAction[] {
    return this.fire((t) => 'step' in t && t.step === step);
  }

  /** Time-based faults, to be scheduled once from the hub's start. */
  timed(): Array<{ afterMs: number; fire: () => FaultAction[] }> {
    return this.armed
      .filter((a) => 'afterMs' in a.at)
      .map((a) => ({ afterMs: (a.at as { afterMs: number }).afterMs, fire: () => this.fire((t) => t === a.at) }));
  }

  private fire(match: (t: Trigger) => boolean): FaultAction[] {
    const fired = this.armed.filter((a) => match(a.at));
    if (fired.length === 0) return [];
    this.armed = this.armed.filter((a) => !fired.includes(a));
    // Line faults first, so a stall or disconnect at the same point as a power loss still happens.
    return fired.map((a) => a.action).sort((a, b) => Number(a.kind === 'power-loss') - Number(b.kind === 'power-loss'));
  }
}
