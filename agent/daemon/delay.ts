import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';

/**
 * Waits `ms`; rejects with DaemonStopped as soon as `signal` aborts, or at once when it already
 * has (an aborted signal never fires 'abort' again).
 */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const stopped = (): HubflashError => new HubflashError(ErrorCode.DaemonStopped, 'stopped', {});
    if (signal.aborted) return reject(stopped());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(stopped());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
