import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { delay } from '../../../agent/daemon/delay.ts';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';

// The daemon's waits (an image download retry, a hub's landed result) end when the rig stops.
describe("the daemon's delay", () => {
  it('rejects at once with DaemonStopped when the rig has already stopped (an aborted signal never fires again)', async () => {
    const err = await delay(600_000, AbortSignal.abort()).then(() => undefined, (e: unknown) => e);
    expect(isHubflashError(err, ErrorCode.DaemonStopped)).toBe(true);
  });

  it('rejects with DaemonStopped when the rig stops during the wait', async () => {
    const stop = new AbortController();
    const waiting = delay(600_000, stop.signal).then(() => undefined, (e: unknown) => e);
    stop.abort();
    expect(isHubflashError(await waiting, ErrorCode.DaemonStopped)).toBe(true);
  });

  it('leaves no listener on the signal once it has waited (the rig signal lives as long as the daemon)', async () => {
    const stop = new AbortController();
    await delay(1, stop.signal);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });
});
