import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';

/** Waits `ms`; rejects with DaemonStopped as soon as `signal` aborts. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new HubflashError(ErrorCode.DaemonStopped, 'stopped', {}));
      },
      { once: true },
    );
  });
}
