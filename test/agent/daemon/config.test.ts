import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig, type AgentConfigFile } from '../../../agent/daemon/index.ts';
import { ErrorCode, isHubflashError, type HubflashError } from '../../../protocol/errors/index.ts';
import { tempDir } from './helpers.ts';

const KEY = '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n';

/** A config folder with a key, a secret file and a CA file, and the config written into it. */
function configFile(config: unknown): { file: string; dir: string } {
  const dir = path.join(tempDir(), 'etc');
  mkdirSync(path.join(dir, 'keys'), { recursive: true });
  writeFileSync(path.join(dir, 'keys', 'maker.pem'), KEY);
  writeFileSync(path.join(dir, 'secret'), '  s3cret-from-file\n');
  writeFileSync(path.join(dir, 'ca.pem'), 'CA');
  const file = path.join(dir, 'agent.json');
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return { file, dir };
}

const minimal: AgentConfigFile = { rigId: 'RIG-01', secret: 'inline', serverUrl: 'mqtt://server:1883', httpUrl: 'http://server:8080', trustedKeys: ['keys/maker.pem'] };

function failure(file: string): HubflashError {
  try {
    loadAgentConfig(file);
  } catch (err) {
    if (isHubflashError(err, ErrorCode.ConfigInvalid)) return err;
    throw err;
  }
  throw new Error('the config was accepted');
}

describe('agent config', () => {
  it('reads a valid file with defaults, paths resolved against the file\'s folder', () => {
    const { file, dir } = configFile(minimal);
    const c = loadAgentConfig(file);
    expect(c).toMatchObject({ rigId: 'RIG-01', secret: 'inline', concurrency: 16, baudRate: 921_600, heartbeatMs: 10_000, resendMs: 30_000, ports: [], usbFilters: [], logLevel: 'info' });
    expect(c.dataDir).toBe(path.join(dir, 'rig-data'));
    expect(c.trustedKeyPems).toEqual([KEY]);
    expect(c.ca).toBeUndefined();
  });

  it('reads the secret file and the CA file, takes USB IDs in hex, keeps an absolute data folder', () => {
    const abs = path.join(tempDir(), 'data');
    const { file } = configFile({
      ...minimal,
      secret: undefined,
      secretFile: 'secret',
      caFile: './ca.pem',
      dataDir: abs,
      serialFilters: [{ vendorId: '0x0403', productId: '6001' }],
      usbFilters: [{ vendorId: 0x1d6b, productId: 1 }],
      ports: ['/dev/ttyUSB0'],
    });
    const c = loadAgentConfig(file);
    expect(c.secret).toBe('s3cret-from-file');
    expect(c.ca?.toString()).toBe('CA');
    expect(c.dataDir).toBe(abs);
    expect(c.serialFilters).toEqual([{ vendorId: 0x0403, productId: 0x6001 }]);
    expect(c.usbFilters).toEqual([{ vendorId: 0x1d6b, productId: 1 }]);
    expect(c.ports).toEqual(['/dev/ttyUSB0']);
  });

  it('names every invalid field in one ConfigInvalid error', () => {
    const { file } = configFile({
      rigId: 'rig/01',
      serverUrl: 'http://server',
      httpUrl: 'not a url',
      trustedKeys: [],
      concurrency: 0,
      heartbeatMs: 5,
      usbFilters: [{ vendorId: 'xyz', productId: 1 }],
      logLevel: 'loud',
      colour: 'blue',
    });
    const err = failure(file);
    const fields = (err.context.issues as string[]).map((i) => i.split(':')[0]);
    expect(fields).toEqual(expect.arrayContaining(['rigId', 'serverUrl', 'httpUrl', 'trustedKeys', 'concurrency', 'heartbeatMs', 'usbFilters.0.vendorId', 'logLevel', 'secret']));
    expect(err.message).toContain('colour');
    expect(err.message).toContain('give secret or secretFile');
  });

  it('refuses a missing file, a file that is not JSON, and a secret or key file it cannot read', () => {
    const missing = path.join(tempDir(), 'nowhere.json');
    expect(failure(missing).message).toContain(missing);
    expect(failure(configFile('{ "rigId": ').file).message).toContain('cannot read agent config');
    expect(failure(configFile('null').file).message).toContain('agent config is invalid');
    expect(failure(configFile('[1]').file).message).toContain('agent config is invalid');
    const { file: noSecret, dir } = configFile({ ...minimal, secret: undefined, secretFile: 'absent' });
    expect(failure(noSecret).context).toEqual({ file: path.join(dir, 'absent') });
    const { file: noKey, dir: keyDir } = configFile({ ...minimal, trustedKeys: ['keys/maker.pem', 'keys/other.pem'] });
    expect(failure(noKey).context).toEqual({ file: path.join(keyDir, 'keys', 'other.pem') });
  });
});
