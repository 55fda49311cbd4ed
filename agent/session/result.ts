import { newResultId } from '../../protocol/ids/index.ts';
import type { ErrorContext } from '../../protocol/errors/index.ts';
import type { HubInfo } from './identity.ts';
import type { Outcome, PhaseDurations } from './phases.ts';
import type { SessionReport } from './session.ts';

/**
 * One hub's flash, as the `--json` output prints it and the daemon will report it (the fields of
 * protocol/mqtt's result message, plus the port and the manufacturer's name). `resultId` is new
 * for every result so the server can apply it exactly once.
 */
export interface FlashResult {
  resultId: string;
  port: string;
  hub?: Pick<HubInfo, 'chfId' | 'gpfId' | 'manufacturerCode' | 'manufacturer' | 'model' | 'hardwareVersion' | 'hanVariant'>;
  /** What the hub ran before: 8 hex digits and the SHA-256. */
  from?: { version: string; hash: string };
  /** The target image. */
  to: { version: string; hash: string };
  outcome: Outcome;
  error?: { code: string; name: string; message: string; context: ErrorContext };
  /** SHA-256 of the image sent; absent when no byte of it was sent. */
  imageHash?: string;
  bytesSent: number;
  bytesResent: number;
  resumes: number;
  /** Milliseconds per phase, over every attempt. */
  phases: PhaseDurations;
  startedAt: string;
  finishedAt: string;
}

export function toFlashResult(report: SessionReport): FlashResult {
  const hub = report.hub;
  return {
    resultId: newResultId(),
    port: report.port,
    ...(hub
      ? {
          hub: {
            chfId: hub.chfId,
            gpfId: hub.gpfId,
            manufacturerCode: hub.manufacturerCode,
            manufacturer: hub.manufacturer,
            model: hub.model,
            hardwareVersion: hub.hardwareVersion,
            hanVariant: hub.hanVariant,
          },
        }
      : {}),
    ...(report.from ? { from: report.from } : {}),
    to: report.to,
    outcome: report.outcome,
    ...(report.error ? { error: report.error.toJSON() } : {}),
    ...(report.outcome === 'verified' || report.bytesSent > 0 ? { imageHash: report.to.hash } : {}),
    bytesSent: report.bytesSent,
    bytesResent: report.bytesResent,
    resumes: report.resumes,
    phases: report.phases,
    startedAt: report.startedAt.toISOString(),
    finishedAt: report.finishedAt.toISOString(),
  };
}

/** A result for a port where no session could run at all (e.g. it could not be opened). */
export function failedBeforeSession(port: string, to: { version: string; hash: string }, error: { toJSON(): FlashResult['error'] }, at: Date): FlashResult {
  return {
    resultId: newResultId(),
    port,
    to,
    outcome: 'failed',
    error: error.toJSON(),
    bytesSent: 0,
    bytesResent: 0,
    resumes: 0,
    phases: {},
    startedAt: at.toISOString(),
    finishedAt: new Date().toISOString(),
  };
}
