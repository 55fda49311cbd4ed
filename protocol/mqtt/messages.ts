import { z } from 'zod';
import {
  count,
  deviceId,
  errorSummary,
  firmwareHash,
  firmwareVersion,
  rigId,
  timestamp,
  u16,
  version,
} from './fields.ts';

/**
 * The messages on hubflash MQTT topics (see docs/mqtt.md). Every message is a JSON object with
 * `v: 1`; a later incompatible change gets a new `v` and a new topic root (`hubflash/v2`).
 * Objects are strict: an unknown field is an invalid message, so a typo cannot pass silently.
 */

export const HAN_VARIANTS = ['SingleBand', 'DualBand'] as const;
/** Whether the hub reports itself installed (its own view; the SMI keeps the official one). */
export const INSTALL_STATES = ['NotInstalled', 'InstalledNotCommissioned', 'Commissioned'] as const;
export type InstallStateName = (typeof INSTALL_STATES)[number];
export type HanVariant = (typeof HAN_VARIANTS)[number];

/** Names rigs use for the phases of a flash (progress.phase, result.phases); others are allowed. */
export const FLASH_PHASES = ['connect', 'identify', 'check', 'transfer', 'verify', 'activate', 'confirm'] as const;
const phaseName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'expected a lower-case phase name such as "transfer"');

/**
 * `…/{rigId}/status`, retained, QoS 1. The rig publishes `online` on connect (its birth) and sets
 * an `offline` message with the same `seq` as its last will (its death). `seq` grows by one on
 * every connection, so a late will from an old session cannot overwrite a newer birth.
 */
export const statusMessage = z.strictObject({
  v: version,
  rigId,
  state: z.enum(['online', 'offline']),
  seq: count,
  at: timestamp,
  agentVersion: z.string().max(100).optional(),
  slots: count.max(1000).optional(),
});
export type StatusMessage = z.infer<typeof statusMessage>;

/** `…/{rigId}/heartbeat`, QoS 0, every few seconds while connected. */
export const heartbeatMessage = z.strictObject({
  v: version,
  rigId,
  seq: count,
  at: timestamp,
  uptimeMs: count.optional(),
  slots: z.strictObject({ total: count, busy: count }).optional(),
  /** Results waiting in the rig's outbox for an acknowledgement. */
  outboxPending: count.optional(),
});
export type HeartbeatMessage = z.infer<typeof heartbeatMessage>;

/** `…/{rigId}/progress`, QoS 0, per hub being flashed. `phase: 'done'` ends the hub's entry. */
export const progressMessage = z.strictObject({
  v: version,
  rigId,
  chfId: deviceId,
  slot: z.string().min(1).max(100).optional(),
  phase: phaseName,
  bytesSent: count,
  bytesTotal: count,
  rateBytesPerSecond: z.number().nonnegative().finite(),
  at: timestamp,
  targetVersion: firmwareVersion.optional(),
  jobId: z.string().min(1).max(100).optional(),
});
export type ProgressMessage = z.infer<typeof progressMessage>;

export const RESULT_OUTCOMES = ['verified', 'already-current', 'failed', 'ineligible'] as const;
export type ResultOutcome = (typeof RESULT_OUTCOMES)[number];

export const resultHub = z.strictObject({
  chfId: deviceId,
  gpfId: deviceId,
  manufacturerCode: u16,
  model: z.string().min(1).max(100),
  hardwareVersion: u16,
  hanVariant: z.enum(HAN_VARIANTS),
  /** As the hub reported it to the rig; absent from rigs that do not send it. */
  installState: z.enum(INSTALL_STATES).optional(),
});
export type ResultHub = z.infer<typeof resultHub>;

/**
 * `…/{rigId}/results`, QoS 1, one per hub attempt. The rig keeps it in its outbox and re-sends it
 * (same `resultId`) until the server's `cmd/ack` names it; the server applies it at most once.
 */
export const resultMessage = z
  .strictObject({
    v: version,
    resultId: z.uuid(),
    rigId,
    hub: resultHub,
    /** What the hub ran before; the hash is absent when the hub cannot report it. */
    from: z.strictObject({ version: firmwareVersion, hash: firmwareHash.optional() }),
    /** The target image. */
    to: z.strictObject({ version: firmwareVersion, hash: firmwareHash }),
    outcome: z.enum(RESULT_OUTCOMES),
    error: errorSummary.optional(),
    /** SHA-256 of the image sent; absent when nothing was sent. */
    imageHash: firmwareHash.optional(),
    bytesSent: count,
    bytesResent: count,
    resumes: count,
    phases: z.record(phaseName, count),
    startedAt: timestamp,
    finishedAt: timestamp,
    orderId: z.string().min(1).max(100).optional(),
    jobId: z.string().min(1).max(100).optional(),
  })
  .refine((m) => m.outcome !== 'failed' || m.error !== undefined, {
    message: 'a failed result must carry its error',
    path: ['error'],
  })
  .refine((m) => m.outcome !== 'verified' || m.imageHash !== undefined, {
    message: 'a verified result must name the image sent',
    path: ['imageHash'],
  })
  .refine((m) => Date.parse(m.finishedAt) >= Date.parse(m.startedAt), {
    message: 'finishedAt is before startedAt',
    path: ['finishedAt'],
  });
export type ResultMessage = z.infer<typeof resultMessage>;

/** Why the server stored a result but did not apply it to the inventory (the rig must not re-send it). */
export const refusedResult = z.strictObject({ resultId: z.uuid(), error: errorSummary });

/**
 * `…/{rigId}/cmd/ack`, QoS 1, server → rig. Every ID in `resultIds` is durably stored and applied
 * (or refused, listed again in `refused` with the reason): the rig may drop them from its outbox.
 * One ack may name many results (group acknowledgement); an ID may be acknowledged more than once.
 */
export const ackMessage = z.strictObject({
  v: version,
  resultIds: z.array(z.uuid()).min(1).max(10_000),
  refused: z.array(refusedResult).max(10_000).optional(),
  at: timestamp,
});
export type AckMessage = z.infer<typeof ackMessage>;

/** The wire (input) shape of each message, before normalisation: what a sender builds. */
export type StatusMessageInput = z.input<typeof statusMessage>;
export type HeartbeatMessageInput = z.input<typeof heartbeatMessage>;
export type ProgressMessageInput = z.input<typeof progressMessage>;
export type ResultMessageInput = z.input<typeof resultMessage>;
export type AckMessageInput = z.input<typeof ackMessage>;
