/**
 * The storage thread (see CoreThread): storage, ingest, the domain, the plugins and the HTTP
 * API, with the broker on the main thread. Rig messages arrive in batches; acks and jobs go
 * back as publish requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pino, type Logger } from 'pino';
import { readEventBatch } from '../broker/eventBatch.ts';
import type { ServerPlugin } from '../context.ts';
import { startCore, type Core } from './startCore.ts';
import { fromThreadError, toThreadError, type CoreWorkerData, type FromCore, type ToCore } from './threadMessages.ts';

const data = workerData as CoreWorkerData;
const port = parentPort!;
const post = (message: FromCore, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

const log: Logger = data.forwardLogs ? pino({ level: data.config.log.level }, { write: (line: string) => post({ t: 'log', line }) }) : pino({ level: data.config.log.level });

const publishes = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
let nextId = 1;
function publish(topic: string, payload: Buffer): Promise<void> {
  const id = nextId++;
  // A copy of just these bytes (payload may be a slice of a pooled buffer), handed over whole.
  const bytes = new Uint8Array(payload);
  return new Promise<void>((resolve, reject) => {
    publishes.set(id, { resolve, reject });
    post({ t: 'publish', id, topic, payload: bytes }, [bytes.buffer as ArrayBuffer]);
  });
}

let core: Core | undefined;
port.on('message', (message: ToCore) => {
  switch (message.t) {
    case 'events':
      readEventBatch(message.batch, core!.events);
      return;
    case 'published': {
      const waiter = publishes.get(message.id);
      publishes.delete(message.id);
      if (message.error === undefined) waiter?.resolve();
      else waiter?.reject(fromThreadError(message.error));
      return;
    }
    case 'stop':
      void core!.stop().then(
        () => post({ t: 'stopped' }),
        (err: unknown) => {
          log.error({ err }, 'stopping the storage thread failed');
          post({ t: 'stopped' });
        },
      );
  }
});

try {
  const plugins: ServerPlugin[] = [];
  for (const p of data.plugins) {
    const factory = ((await import(p.module)) as Record<string, unknown>)[p.factory];
    if (typeof factory !== 'function') throw new Error(`${p.module} exports no plugin factory ${p.factory}`);
    plugins.push((factory as (...args: unknown[]) => ServerPlugin)(...(p.args ?? [])));
  }
  core = await startCore(data.config, { log, plugins, version: data.version, publish });
  post({ t: 'started', http: core.http });
} catch (err) {
  post({ t: 'failed', error: toThreadError(err) });
}
