import { randomUUID } from 'node:crypto';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import type { JobMessage, JobRequestHub } from '../../protocol/mqtt/index.ts';
import type { ServerLink } from './serverLink.ts';

interface Pending {
  resolve: (answer: JobMessage) => void;
  reject: (err: Error) => void;
  send: () => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Asks the server for each connected hub's job and waits for the answer. A request is sent again
 * while it goes unanswered (after `retryMs`, and after every reconnection), so a server outage
 * only delays a hub; asking again is always safe (the server computes the answer afresh).
 */
export class JobClient {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly link: ServerLink,
    private readonly retryMs = 10_000,
  ) {
    link.on('job', (answer: JobMessage) => this.pending.get(answer.requestId)?.resolve(answer));
    link.on('connected', () => {
      for (const p of this.pending.values()) p.send();
    });
  }

  request(hub: JobRequestHub, signal?: AbortSignal): Promise<JobMessage> {
    const requestId = randomUUID();
    return new Promise<JobMessage>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(entry.timer);
        this.pending.delete(requestId);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        finish();
        reject(new HubflashError(ErrorCode.DaemonStopped, `stopped while waiting for the job of hub ${hub.chfId}`, { chfId: hub.chfId }));
      };
      const entry: Pending = {
        resolve: (answer) => {
          finish();
          resolve(answer);
        },
        reject,
        send: () => {
          clearTimeout(entry.timer);
          try {
            this.link.sendJobRequest({ requestId, hub });
          } catch (err) {
            // The wire schema refuses what the hub reported: no answer can come, so asking again
            // (from a timer or on a reconnection, where a throw would end the agent) is pointless.
            finish();
            reject(err as Error);
            return;
          }
          entry.timer = setTimeout(entry.send, this.retryMs);
        },
        timer: undefined,
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(requestId, entry);
      entry.send();
    });
  }
}
