import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';

/** The errors every transport raises, worded the same way. */

export function linkClosed(name: string, why = 'the port closed'): HubflashError {
  return new HubflashError(ErrorCode.LinkClosed, `${name}: ${why}; the flash resumes when the hub is connected again`, { port: name });
}

export function openFailed(name: string, cause: unknown): HubflashError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new HubflashError(ErrorCode.PortOpenFailed, `Cannot open ${name}: ${why}`, { port: name }, { cause });
}

export function writeFailed(name: string, cause: unknown): HubflashError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new HubflashError(ErrorCode.LinkWriteFailed, `Writing to ${name} failed: ${why}`, { port: name }, { cause });
}
