import { ErrorCode, formatErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import type { ErrorSummary } from '../../../protocol/mqtt/index.ts';

/** An error as order lines, job refusals and reports carry it: code, name, message. */
export function summarise(err: HubflashError): ErrorSummary {
  return { code: formatErrorCode(err.code), name: err.codeName, message: err.message };
}

export function summary(code: ErrorCode, message: string, context: Record<string, unknown> = {}): ErrorSummary {
  return summarise(new HubflashError(code, message, context));
}

/** The ErrorCode behind a summary. */
export function codeOf(s: ErrorSummary): ErrorCode {
  return Number(s.code.slice(2)) as ErrorCode;
}
