import { ErrorCode, formatErrorCode, HubflashError, isHubflashError } from '../../protocol/errors/index.ts';
import { orderErrorStatus } from './orderErrors.ts';

/** HTTP status for each error code the API can return; anything unlisted is a 500. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.FirmwareNotApproved]: 403,
  [ErrorCode.DeviceNotFound]: 404,
  [ErrorCode.FirmwareNotFound]: 404,
  [ErrorCode.RigNotFound]: 404,
  [ErrorCode.ResultNotFound]: 404,
  [ErrorCode.TokenNotFound]: 404,
  [ErrorCode.RigAlreadyExists]: 409,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.RangeNotSatisfiable]: 416,
  [ErrorCode.NoTrustedKeys]: 503,
  [ErrorCode.DataDirLocked]: 503,
};

/** Codes that mean "your input is wrong": 400, or 422 for an image that parses but is refused. */
function statusOf(code: ErrorCode): number {
  const listed = STATUS[code] ?? orderErrorStatus(code);
  if (listed) return listed;
  if (code >= 200 && code < 300) return 422; // manufacturer images: unreadable or untrusted
  if ((code >= 400 && code < 500) || code === ErrorCode.InvalidRequest || code === ErrorCode.ImportUnreadable || code === ErrorCode.InvalidRigId) return 400;
  return 500;
}

export interface ApiError {
  status: number;
  body: { error: { code: string; name: string; message: string; context?: Record<string, unknown> } };
}

/** The JSON error reply for anything a route throws; unexpected errors hide their details. */
export function toApiError(err: unknown): ApiError {
  if (isHubflashError(err)) {
    const { code, name, message, context } = err.toJSON();
    return { status: statusOf(err.code), body: { error: { code, name, message, ...(Object.keys(context).length ? { context: { ...context } } : {}) } } };
  }
  const fastify = err as { statusCode?: number; message?: string; code?: string };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    const code = fastify.statusCode === 413 ? ErrorCode.PayloadTooLarge : ErrorCode.InvalidRequest;
    const wrapped = new HubflashError(code, fastify.message ?? 'Bad request');
    return { status: fastify.statusCode, body: { error: { code: formatErrorCode(code), name: wrapped.codeName, message: wrapped.message } } };
  }
  const internal = new HubflashError(ErrorCode.ServerInternal, 'Internal server error (see the server log)');
  return { status: 500, body: { error: { code: formatErrorCode(internal.code), name: internal.codeName, message: internal.message } } };
}
