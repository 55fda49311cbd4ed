import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ErrorCode, isHubflashError, type HubflashError } from '../../../protocol/errors/index.ts';
import { resolveServerConfig } from '../../../server/config/config.ts';
import { CoreThread } from '../../../server/core/CoreThread.ts';
import { waitFor } from '../helpers/server.ts';
import { tempDir } from '../helpers/tempDir.ts';

describe('the storage thread seen from the broker thread', () => {
  let thread: CoreThread | undefined;
  afterEach(async () => {
    await thread?.abort();
    thread = undefined;
  });

  it('reports a thread that ends without being asked as a typed error saying what it means and what to do', async () => {
    const failures: HubflashError[] = [];
    const config = resolveServerConfig({ dataDir: tempDir(), http: { port: 0, host: '127.0.0.1' } });
    const started = await CoreThread.start({ config, plugins: [], version: 'test', log: pino({ level: 'silent' }), publish: async () => {}, failed: (err) => failures.push(err) });
    thread = started.thread;
    // The thread dies as it would on a crash of its own: nothing asked it to stop.
    await (Reflect.get(thread, 'worker') as { terminate(): Promise<number> }).terminate();
    await waitFor(() => failures[0], 'the failure reported');
    expect(failures).toHaveLength(1);
    const [err] = failures;
    expect(isHubflashError(err, ErrorCode.ServerInternal)).toBe(true);
    expect(err!.message).toMatch(/storage thread stopped unexpectedly \(the storage thread exited \(code 1\)\): results can no longer be stored.*start the server again/);
  });
});
