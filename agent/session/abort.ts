import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';

export function aborted(port: string): HubflashError {
  return new HubflashError(ErrorCode.SessionAborted, `The flash on ${port} was cancelled; flash again to resume from the hub's committed offset`, { port });
}

export function throwIfAborted(signal: AbortSignal | undefined, port: string): void {
  if (signal?.aborted) throw aborted(port);
}

/** Waits, unless the flash is cancelled first (then rejects with SessionAborted). */
export function sleep(ms: number, signal: AbortSignal | undefined, port: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(port));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted(port));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
