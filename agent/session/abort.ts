import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';

export function aborted(port: string): HubflashError {
  return new HubflashError(ErrorCode.SessionAborted, `The flash on ${port} was cancelled; flash again to resume from the hub's committed offset`, { port });
}

export function throwIfAborted(signal: AbortSignal | undefined, port: string): void {
  if (signal?.aborted) throw aborted(port);
}
