import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, isHubflashError, type HubflashError } from '../../../protocol/errors/index.ts';
import { encodeResult } from '../../../protocol/mqtt/index.ts';
import { resolveServerConfig } from '../../../server/config/config.ts';
import { CoreThread, type CoreThreadOptions } from '../../../server/core/CoreThread.ts';
import { sampleResult } from '../../protocol/mqtt/fixtures.ts';
import { waitFor, type LogLine } from '../helpers/server.ts';
import { tempDir } from '../helpers/tempDir.ts';

const crashModule = new URL('./fixtures/crashPlugin.ts', import.meta.url).href;

interface Started {
  thread: CoreThread;
  http: number;
  logs: LogLine[];
  failures: HubflashError[];
}

const threads: CoreThread[] = [];
afterEach(async () => {
  for (const t of threads.splice(0)) await t.abort();
});

function options(dataDir: string, extra: Partial<CoreThreadOptions> = {}): { o: CoreThreadOptions; logs: LogLine[]; failures: HubflashError[] } {
  const logs: LogLine[] = [];
  const failures: HubflashError[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const config = resolveServerConfig({ dataDir, http: { port: 0, host: '127.0.0.1' } });
  const o: CoreThreadOptions = { config, plugins: [], version: 'test', logger: pino({ level: 'info' }, sink), log: pino({ level: 'silent' }), publish: async () => {}, failed: (err) => failures.push(err), ...extra };
  return { o, logs, failures };
}

async function start(dataDir: string, extra: Partial<CoreThreadOptions> = {}): Promise<Started> {
  const { o, logs, failures } = options(dataDir, extra);
  const { thread, http } = await CoreThread.start(o);
  threads.push(thread);
  return { thread, http, logs, failures };
}

describe('the storage thread: stopping and failing', () => {
  it('delivers what the broker reported just before stop, logs it at its level, and a stop asked for is no failure', async () => {
    const t = await start(tempDir());
    t.thread.events.refused('connect', 'rig:RIG-09', 'wrong secret');
    await t.thread.stop();
    expect(t.logs.find((l) => l.msg === 'MQTT connect refused')).toMatchObject({ level: 40, who: 'rig:RIG-09', reason: 'wrong secret' });
    expect(t.failures).toEqual([]);
  });

  it("hands the broker's publish failure back to the thread, which logs it as an error", async () => {
    const t = await start(tempDir(), { publish: () => Promise.reject(new Error('the broker is gone')) });
    t.thread.events.rigMessage('RIG-01', 'results', encodeResult(sampleResult({ rigId: 'RIG-01' })));
    const line = await waitFor(() => t.logs.find((l) => l.msg === 'acknowledging results failed'), 'the failed acknowledgement logged');
    expect(line).toMatchObject({ level: 50, err: { message: 'the broker is gone' } });
  });

  it('refuses to start on a data dir another server holds, keeping the error code (written once), and ends that thread', async () => {
    const dataDir = tempDir();
    await start(dataDir);
    const made = vi.spyOn(Worker.prototype, 'on');
    const err = await start(dataDir).then(() => undefined, (e: unknown) => e);
    const worker = made.mock.contexts.at(-1) as Worker;
    made.mockRestore();
    // A thread left running would keep the process from exiting after the failed start.
    await waitFor(() => worker.threadId === -1, 'the failed thread ended');
    expect(isHubflashError(err, ErrorCode.DataDirLocked)).toBe(true);
    expect((err as Error).message).toMatch(/in use by another process.*\(HF0620\)$/);
    expect((err as Error).message.match(/HF0620/g)).toHaveLength(1);
    expect((err as Error).stack).toContain('LevelStore');
  });

  it("passes a system error from the thread on as it is, not as one of our codes", async () => {
    const taken = createNetServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { o } = options(tempDir());
      const config = { ...o.config, http: { ...o.config.http, port: (taken.address() as AddressInfo).port } };
      const err = await CoreThread.start({ ...o, config }).then(() => undefined, (e: unknown) => e);
      expect([isHubflashError(err), (err as Error).message]).toEqual([false, expect.stringMatching(/EADDRINUSE.*\d$/)]);
    } finally {
      taken.close();
    }
  });

  it('stops even when closing a plugin fails, and logs why', async () => {
    const t = await start(tempDir(), { plugins: [{ module: crashModule, factory: 'crashPlugin', args: ['close'] }] });
    await t.thread.stop();
    expect(t.logs.find((l) => l.msg === 'stopping the storage thread failed')).toMatchObject({ level: 50, err: { message: 'plugin bug: cannot close' } });
    expect(t.failures).toEqual([]);
  });

  it('fails to start when the thread crashes while starting', async () => {
    const err = await start(tempDir(), { plugins: [{ module: crashModule, factory: 'crashPlugin', args: ['setup'] }] }).then(() => undefined, (e: unknown) => e);
    expect((err as Error).message).toContain('plugin bug: boom');
  });

  it('reports a crash of the running thread once, with its cause', async () => {
    const t = await start(tempDir(), { plugins: [{ module: crashModule, factory: 'crashPlugin', args: ['request'] }] });
    // The thread reports an 'error', then its 'exit': count the failures after both.
    const exited = new Promise((resolve) => (Reflect.get(t.thread, 'worker') as Worker).once('exit', resolve));
    expect(await (await fetch(`http://127.0.0.1:${t.http}/api/v1/crash`)).json()).toEqual({ crashing: true });
    await exited;
    expect(t.failures).toHaveLength(1);
    expect(isHubflashError(t.failures[0], ErrorCode.ServerInternal)).toBe(true);
    expect(t.failures[0]!.message).toContain('stopped unexpectedly (plugin bug: boom)');
  });
});
