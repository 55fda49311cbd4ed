/**
 * MQTT topics between rigs and the server, versioned under `hubflash/v1`. Every topic a rig uses
 * sits under its own prefix `hubflash/v1/rigs/{rigId}/`, so the broker's access rules can be a
 * simple prefix check. Build topics only with these functions; never by string concatenation.
 */
import { ErrorCode, HubflashError } from '../errors/index.ts';

export const TOPIC_ROOT = 'hubflash/v1';
export const RIGS_ROOT = `${TOPIC_ROOT}/rigs`;

/** What a rig publishes (rig → server). `job-request` asks for a connected hub's job (jobs.ts). */
export const RIG_MESSAGE_KINDS = ['status', 'heartbeat', 'progress', 'results', 'job-request'] as const;
export type RigMessageKind = (typeof RIG_MESSAGE_KINDS)[number];

/** What the server sends a rig, under `…/{rigId}/cmd/` (server → rig). `job` is for orders. */
export const RIG_COMMAND_KINDS = ['ack', 'job'] as const;
export type RigCommandKind = (typeof RIG_COMMAND_KINDS)[number];

/**
 * A rig ID is the rig's MQTT username and client ID: 1-64 characters, letters, digits, `.`, `_`
 * and `-`, starting with a letter or digit. No `/`, `+`, `#`, `$` or `:` so it is always exactly
 * one topic level and never a wildcard.
 */
export const RIG_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isRigId(s: unknown): s is string {
  return typeof s === 'string' && RIG_ID_PATTERN.test(s);
}

/** `hubflash/v1/rigs/{rigId}` */
export function rigTopicPrefix(rigId: string): string {
  assertRigId(rigId);
  return `${RIGS_ROOT}/${rigId}`;
}

/** `hubflash/v1/rigs/{rigId}/{kind}`: status (retained), heartbeat, progress (QoS 0), results, job-request (QoS 1). */
export function rigTopic(rigId: string, kind: RigMessageKind): string {
  return `${rigTopicPrefix(rigId)}/${kind}`;
}

/** `hubflash/v1/rigs/{rigId}/cmd/{kind}` */
export function rigCommandTopic(rigId: string, kind: RigCommandKind): string {
  return `${rigTopicPrefix(rigId)}/cmd/${kind}`;
}

/** The filter a rig subscribes to for all its commands: `hubflash/v1/rigs/{rigId}/cmd/+`. */
export function rigCommandFilter(rigId: string): string {
  return `${rigTopicPrefix(rigId)}/cmd/+`;
}

/** Filters an operator's monitoring tool may use to watch every rig, e.g. `hubflash/v1/rigs/+/status`. */
export function allRigsFilter(kind: RigMessageKind): string {
  return `${RIGS_ROOT}/+/${kind}`;
}

export type ParsedRigTopic =
  | { direction: 'rig'; rigId: string; kind: RigMessageKind }
  | { direction: 'command'; rigId: string; kind: RigCommandKind };

/** Reads a concrete topic (no wildcards); null when it is not one of ours. */
export function parseRigTopic(topic: string): ParsedRigTopic | null {
  if (typeof topic !== 'string' || !topic.startsWith(`${RIGS_ROOT}/`)) return null;
  const rest = topic.slice(RIGS_ROOT.length + 1).split('/');
  const rigId = rest[0];
  if (!isRigId(rigId)) return null;
  if (rest.length === 2 && (RIG_MESSAGE_KINDS as readonly string[]).includes(rest[1]!)) {
    return { direction: 'rig', rigId, kind: rest[1] as RigMessageKind };
  }
  if (rest.length === 3 && rest[1] === 'cmd' && (RIG_COMMAND_KINDS as readonly string[]).includes(rest[2]!)) {
    return { direction: 'command', rigId, kind: rest[2] as RigCommandKind };
  }
  return null;
}

function assertRigId(rigId: string): void {
  if (!isRigId(rigId)) {
    throw new HubflashError(
      ErrorCode.InvalidMessage,
      `${JSON.stringify(String(rigId).slice(0, 70))} is not a rig ID: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      { rigId },
    );
  }
}
