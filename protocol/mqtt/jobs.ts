import { z } from 'zod';
import { decodeWith, encodeWith } from './codec.ts';
import { count, deviceId, errorSummary, firmwareHash, firmwareVersion, rigId, timestamp, u16, version } from './fields.ts';
import { resultHub } from './messages.ts';

/**
 * Jobs: a rig that has connected a hub asks the server for the hub's job; the server checks the
 * hub's eligibility again (with what the rig read) and answers with the job or a refusal.
 *
 *   rig → server  `…/{rigId}/job-request`  QoS 1  jobRequestMessage
 *   server → rig  `…/{rigId}/cmd/job`      QoS 1  jobMessage (same requestId)
 *
 * Asking again (same or new requestId) is always safe: the answer is computed afresh.
 */

/** What the rig read from the hub (IDENTIFY-REPLY), so the server can check it against the inventory. */
export const jobRequestHub = resultHub.extend({
  imageType: u16,
  /** What the hub runs now; the hash is absent when the hub cannot report it. */
  firmware: z.strictObject({ version: firmwareVersion, hash: firmwareHash.optional() }),
});
export type JobRequestHub = z.infer<typeof jobRequestHub>;

export const jobRequestMessage = z.strictObject({
  v: version,
  /** Echoed in the answer so the rig can match it. */
  requestId: z.uuid(),
  rigId,
  hub: jobRequestHub,
  slot: z.string().min(1).max(100).optional(),
  at: timestamp,
});
export type JobRequestMessage = z.infer<typeof jobRequestMessage>;

/** The work: flash `target` onto the hub and report the result with `orderId` and `jobId`. */
export const jobAssignment = z.strictObject({
  jobId: z.string().min(1).max(100),
  orderId: z.string().min(1).max(100),
  target: z.strictObject({
    version: firmwareVersion,
    hash: firmwareHash,
    size: count,
    /** Where to download the image (HTTP GET, range requests supported): absolute, or a path on the server's HTTP API. */
    url: z.string().min(1).max(2000),
  }),
  /** The hub already runs the target: verify it and report `already-current`. */
  alreadyCurrent: z.boolean(),
});
export type JobAssignment = z.infer<typeof jobAssignment>;

const answerBase = { v: version, requestId: z.uuid(), rigId, chfId: deviceId, at: timestamp };

export const jobMessage = z.discriminatedUnion('outcome', [
  z.strictObject({ ...answerBase, outcome: z.literal('job'), job: jobAssignment }),
  /** Do not flash the hub: set it aside. `error` says why (an HF07xx code, e.g. HF0706 installed). */
  z.strictObject({ ...answerBase, outcome: z.literal('refused'), error: errorSummary }),
]);
export type JobMessage = z.infer<typeof jobMessage>;
export type JobRequestMessageInput = z.input<typeof jobRequestMessage>;
export type JobMessageInput = z.input<typeof jobMessage>;

type Payload = Uint8Array | string;
export const decodeJobRequest = (p: Payload): JobRequestMessage => decodeWith(jobRequestMessage, 'job-request', p);
export const decodeJob = (p: Payload): JobMessage => decodeWith(jobMessage, 'job', p);
export const encodeJobRequest = (m: JobRequestMessageInput): Buffer => encodeWith(jobRequestMessage, 'job-request', m);
export const encodeJob = (m: JobMessageInput): Buffer => encodeWith(jobMessage, 'job', m);
