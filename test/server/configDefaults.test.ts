import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../protocol/errors/index.ts';
import { loadServerConfig, resolveServerConfig } from '../../server/index.ts';
import { tempDir } from './helpers/tempDir.ts';

/** The message of the ServerConfigInvalid error `load` throws. */
function configError(load: () => unknown): string {
  try {
    load();
  } catch (err) {
    expect(isHubflashError(err, ErrorCode.ServerConfigInvalid)).toBe(true);
    return (err as Error).message;
  }
  return expect.unreachable('accepted');
}

const refusal = (input: unknown): string => configError(() => resolveServerConfig(input));

describe('server config defaults and limits', () => {
  it('has the defaults docs/server.md lists, for every field', () => {
    const { orders, ...rest } = resolveServerConfig({}, '/srv');
    expect(orders).toBeDefined();
    expect(rest).toEqual({
      dataDir: '/srv/data',
      storageThread: true,
      mqtt: { host: '0.0.0.0', port: 1883, drainTimeoutMs: 10_000, maxTopicLevels: 8, maxInflightInbound: 100, concurrency: 200, queueLimit: 42, connectTimeoutMs: 10_000, keepaliveLimitS: 300 },
      http: { host: '0.0.0.0', port: 8080, maxImageBytes: 16 * 1024 * 1024 },
      trustedManufacturerKeys: [],
      gs1CompanyPrefix: '0000000',
      tokens: [],
      storage: { cacheSizeMiB: 8, writeBufferSizeMiB: 8 },
      ingest: { maxGroupSize: 1000 },
      presence: { staleAfterMs: 60_000 },
      import: { batchSize: 1000, maxErrorsReported: 100 },
      log: { level: 'info' },
    });
  });

  it('fills the defaults inside a section that is given in part', () => {
    const c = resolveServerConfig({ import: { batchSize: 10 }, mqtt: { tls: { cert: 'c', key: 'k' }, websocket: {} } }, '/srv');
    expect(c.import).toEqual({ batchSize: 10, maxErrorsReported: 100 });
    expect(c.mqtt.tls).toEqual({ port: 8883, cert: '/srv/c', key: '/srv/k' });
    expect(c.mqtt.websocket).toEqual({ port: 8083, path: '/mqtt' });
  });

  it("resolves the TLS CA against the config file's folder, and keeps absolute paths", () => {
    const dir = tempDir();
    const file = path.join(dir, 'server.json');
    writeFileSync(file, JSON.stringify({ dataDir: '/var/lib/hubflash', mqtt: { tls: { cert: '/etc/c.pem', key: 'k.pem', ca: '../ca/ca.pem' } } }));
    const c = loadServerConfig(file);
    expect(c.dataDir).toBe('/var/lib/hubflash');
    expect(c.mqtt.tls).toMatchObject({ cert: '/etc/c.pem', key: path.join(dir, 'k.pem'), ca: path.join(path.dirname(dir), 'ca', 'ca.pem') });
  });

  it('accepts ports 0 to 65535 and nothing outside', () => {
    expect(resolveServerConfig({ http: { port: 65535 }, mqtt: { port: 0 } })).toMatchObject({ http: { port: 65535 }, mqtt: { port: 0 } });
    expect(refusal({ http: { port: 65536 } })).toContain('http.port');
    expect(refusal({ mqtt: { port: -1 } })).toContain('mqtt.port');
  });

  it('refuses a topic depth below our own topics, a GS1 prefix of the wrong length, and a misspelt top-level field', () => {
    expect(resolveServerConfig({ mqtt: { maxTopicLevels: 6 } }).mqtt.maxTopicLevels).toBe(6);
    expect(refusal({ mqtt: { maxTopicLevels: 5 } })).toContain('mqtt.maxTopicLevels');
    expect(resolveServerConfig({ gs1CompanyPrefix: '1234567890' }).gs1CompanyPrefix).toBe('1234567890');
    expect(refusal({ gs1CompanyPrefix: '12345678901' })).toContain('gs1CompanyPrefix');
    expect(refusal({ gs1CompanyPrefix: '123456' })).toContain('gs1CompanyPrefix');
    expect(refusal({ dataDri: './state' })).toMatch(/\(config\): Unrecognized key.*dataDri/);
  });

  it('refuses a provisioned token with a malformed ID or a hash that is not scrypt', () => {
    const token = { id: 'ci01', name: 'ci', role: 'viewer', hash: 'scrypt$16384$8$1$a$b' };
    expect(resolveServerConfig({ tokens: [token] }).tokens).toEqual([token]);
    expect(refusal({ tokens: [{ ...token, id: 'CI_01' }] })).toContain('tokens.0.id');
    expect(refusal({ tokens: [{ ...token, hash: 'plain-secret' }] })).toContain('tokens.0.hash');
  });

  it('names every problem (up to five), and a config that is not an object as a whole', () => {
    const message = refusal({ http: { port: 'x' }, mqtt: { port: 70_000 }, log: { level: 'loud' } });
    for (const field of ['http.port', 'mqtt.port', 'log.level']) expect(message).toContain(field);
    expect(refusal([])).toContain('(config): ');
  });

  it('refuses a file it cannot read, or that is not JSON, with the config code and the file named', () => {
    const dir = tempDir();
    for (const [file, text] of [[path.join(dir, 'missing.json'), undefined], [path.join(dir, 'bad.json'), '{ nope']] as const) {
      if (text !== undefined) writeFileSync(file, text);
      expect(configError(() => loadServerConfig(file))).toContain(file);
    }
  });
});
