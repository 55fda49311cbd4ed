import type { InstallState } from '../../protocol/messages/index.ts';

/** Points in a flashing session where a fault can be made to happen (docs/simulator.md). */
export const PROTOCOL_STEPS = ['begin', 'write', 'commit', 'verify', 'activate', 'reboot', 'confirm'] as const;
export type ProtocolStep = (typeof PROTOCOL_STEPS)[number];

/** When a one-shot fault fires: at an image offset received, at a protocol step, or after a time. */
export type Trigger = { offset: number } | { step: ProtocolStep } | { afterMs: number };

/** Power loss may also be pinned to a flash operation number (1-based, over the hub's life). */
export type PowerLossTrigger = Trigger | { op: number };

/** Byte-level line faults in one direction. */
export interface ByteFaults {
  /** Probability that any one bit is inverted (a bit error rate). */
  bitflip?: number;
  /** Probability that a byte is lost. */
  drop?: number;
  /** Probability that a byte is delivered twice. */
  duplicate?: number;
}

/** Everything that can be made to go wrong with one simulated hub. */
export interface HubFaults {
  powerLoss?: PowerLossTrigger[];
  /** How long the hub stays off after an injected power loss before it powers on again. */
  powerOnDelayMs?: number;
  /** The transport drops the hub (cable pull), and it re-enumerates on a new port. */
  disconnect?: Trigger[];
  /** How long after a disconnect the hub reappears. */
  reenumerateMs?: number;
  /** The line goes quiet for `ms` in both directions. */
  stall?: Array<{ ms: number; at: Trigger }>;
  /** How many boots of a newly activated image fail (Infinity: every one). */
  bootFail?: number;
  /** Reported and enforced install state (e.g. Commissioned). */
  installState?: InstallState;
  /** IDENTIFY answers with fields no real hub would report. */
  nonsenseIdentity?: boolean;
  /** Line faults towards the hub (host → hub) and towards the host (hub → host). */
  toHub?: ByteFaults;
  toHost?: ByteFaults;
}

export const FAULT_DEFAULTS = Object.freeze({ powerOnDelayMs: 1000, reenumerateMs: 1000 });

export function describeTrigger(t: PowerLossTrigger): string {
  if ('offset' in t) return `offset ${t.offset}`;
  if ('step' in t) return `step ${t.step}`;
  if ('op' in t) return `flash operation ${t.op}`;
  return `${t.afterMs} ms after start`;
}
