import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../protocol/errors/index.ts';
import { provisionToken } from '../../server/admin.ts';
import { loadServerConfig, resolveServerConfig } from '../../server/index.ts';
import { startTestServer } from './helpers/server.ts';
import { tempDir } from './helpers/tempDir.ts';

describe('server config', () => {
  it('works with no file at all: embedded defaults', () => {
    const c = resolveServerConfig({}, '/srv');
    expect(c).toMatchObject({ dataDir: '/srv/data', mqtt: { port: 1883, drainTimeoutMs: 10_000, maxTopicLevels: 8 }, http: { port: 8080 }, trustedManufacturerKeys: [] });
  });

  it('resolves paths against the config file\'s folder', () => {
    const dir = tempDir();
    const file = path.join(dir, 'server.json');
    writeFileSync(file, JSON.stringify({ dataDir: 'state', trustedManufacturerKeys: ['keys/edmi.pem'], mqtt: { port: 0, tls: { cert: 'c.pem', key: 'k.pem' } } }));
    const c = loadServerConfig(file);
    expect(c.dataDir).toBe(path.join(dir, 'state'));
    expect(c.trustedManufacturerKeys).toEqual([path.join(dir, 'keys/edmi.pem')]);
    expect(c.mqtt.tls).toMatchObject({ port: 8883, cert: path.join(dir, 'c.pem'), key: path.join(dir, 'k.pem') });
  });

  it.each([
    ['an unknown field', { mqtt: { prot: 1 } }, 'mqtt'],
    ['a port out of range', { http: { port: 70_000 } }, 'http.port'],
    ['a bad GS1 prefix', { gs1CompanyPrefix: 'ABC' }, 'gs1CompanyPrefix'],
  ])('names the field when the config has %s', (_what, input, field) => {
    try {
      resolveServerConfig(input);
      expect.unreachable('accepted');
    } catch (err) {
      expect(isHubflashError(err, ErrorCode.ServerConfigInvalid)).toBe(true);
      expect((err as Error).message).toContain(field);
    }
  });

  it('refuses a file that is not JSON', () => {
    const file = path.join(tempDir(), 'bad.json');
    writeFileSync(file, '{ nope');
    expect(() => loadServerConfig(file)).toThrow(/not JSON/);
  });
});

describe('tokens provisioned in the config', () => {
  it('are accepted with their role, though never written to the data dir', async () => {
    const { token, entry } = await provisionToken('ci', 'viewer');
    const t = await startTestServer({ config: { tokens: [entry] } });
    try {
      expect((await t.api('GET', '/api/v1/devices/stats', { token })).status).toBe(200);
      expect((await t.api('POST', '/api/v1/devices/import', { token, body: [] })).status).toBe(403);
    } finally {
      await t.stop();
    }
  });
});
