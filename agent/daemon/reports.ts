import type { IdentifyReply } from '../../protocol/messages/index.ts';
import type { JobAssignment, JobRequestHub, ResultMessageInput } from '../../protocol/mqtt/index.ts';
import { hubInfo, type FlashResult } from '../session/index.ts';

/** What the rig read from a hub (as the session names it: hubInfo), as a job request carries it. */
export function jobRequestHub(reply: IdentifyReply): JobRequestHub {
  const { manufacturer: _name, runningVersion, runningHash, ...hub } = hubInfo(reply);
  return { ...hub, firmware: { version: runningVersion, hash: runningHash } };
}

/**
 * A flash result as the server takes it: the engine's result, with the rig and the job, and the
 * hub as the rig first read it when the session could not identify it again.
 */
export function resultMessage(rigId: string, result: FlashResult, read: IdentifyReply, job: JobAssignment): ResultMessageInput {
  const hub = jobRequestHub(read);
  return {
    v: 1,
    resultId: result.resultId,
    rigId,
    hub: result.hub
      ? {
          chfId: result.hub.chfId,
          gpfId: result.hub.gpfId,
          manufacturerCode: result.hub.manufacturerCode,
          model: result.hub.model,
          hardwareVersion: result.hub.hardwareVersion,
          hanVariant: result.hub.hanVariant,
          installState: hub.installState,
        }
      : { chfId: hub.chfId, gpfId: hub.gpfId, manufacturerCode: hub.manufacturerCode, model: hub.model, hardwareVersion: hub.hardwareVersion, hanVariant: hub.hanVariant, installState: hub.installState },
    from: result.from ?? hub.firmware,
    to: result.to,
    outcome: result.outcome,
    ...(result.error ? { error: { code: result.error.code, name: result.error.name, message: result.error.message } } : {}),
    ...(result.imageHash ? { imageHash: result.imageHash } : {}),
    bytesSent: result.bytesSent,
    bytesResent: result.bytesResent,
    resumes: result.resumes,
    phases: result.phases,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    orderId: job.orderId,
    jobId: job.jobId,
  };
}
