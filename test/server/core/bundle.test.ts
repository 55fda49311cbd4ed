import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildCoreBundle } from '../../../server/core/bundle.ts';
import type { ServerPlugin } from '../../../server/index.ts';
import { startTestServer } from '../helpers/server.ts';

const ordersModule = new URL('../../../server/plugins/orders.ts', import.meta.url).href;

describe("the storage thread's code", () => {
  it('is built once per set of plugins into plain modules, the plugins beside it', async () => {
    const first = await buildCoreBundle([ordersModule]);
    const again = await buildCoreBundle([ordersModule]);
    expect(again).toBe(first);
    expect(fileURLToPath(first.entry)).toMatch(/node_modules\/\.cache\/hubflash\/core-[0-9a-f]{16}\/core\/coreWorker\.js$/);
    expect(existsSync(first.entry)).toBe(true);
    expect(existsSync(new URL(first.plugins[ordersModule]!))).toBe(true);
    expect(existsSync(fileURLToPath(first.entry) + '.map')).toBe(true);
  });

  it('is loaded as TypeScript through tsx in the thread when it cannot be built', async () => {
    // A module esbuild cannot read from disk: the thread imports it itself.
    const source = `export function hello() { return { name: 'hello', setup: () => [{ method: 'GET', url: '/hello', summary: 'hi', tags: ['x'], access: 'public', responses: {}, handler: async () => ({ hello: 'world' }) }] }; }`;
    const plugin: ServerPlugin = { name: 'hello', setup: () => undefined, portable: { module: `data:text/javascript,${encodeURIComponent(source)}`, factory: 'hello' } };
    const t = await startTestServer({ serverOptions: { plugins: [plugin] } });
    try {
      expect((await t.api('GET', '/api/v1/hello', { token: null })).body).toEqual({ hello: 'world' });
      expect(t.logs.some((l) => l.msg === 'the storage thread loads its TypeScript through tsx: its code could not be built')).toBe(true);
    } finally {
      await t.stop();
    }
  });
});
