import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { createServer } from '../../../server/index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

describe('MQTT over TLS and WebSocket', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({
      config: {
        mqtt: {
          port: 0,
          host: '127.0.0.1',
          // A self-signed test certificate for localhost (test/server/fixtures), valid until 2126.
          tls: { port: 0, cert: path.join(fixtures, 'tls-cert.pem'), key: path.join(fixtures, 'tls-key.pem') },
          websocket: { port: 0, path: '/mqtt' },
        },
      },
    });
  });
  afterAll(() => t.stop());

  it('accepts a rig over TLS, checking the certificate', async () => {
    const client = await mqtt.connectAsync(`mqtts://localhost:${t.addresses.mqtts}`, {
      clientId: 'RIG-01',
      username: 'RIG-01',
      password: t.secrets['RIG-01'],
      ca: readFileSync(path.join(fixtures, 'tls-cert.pem')),
      reconnectPeriod: 0,
    });
    expect(client.connected).toBe(true);
    await client.endAsync();
  });

  it('accepts a rig over WebSocket, with the same rules as TCP', async () => {
    const client = await mqtt.connectAsync(`ws://127.0.0.1:${t.addresses.ws}/mqtt`, { clientId: 'RIG-02', username: 'RIG-02', password: t.secrets['RIG-02'], reconnectPeriod: 0 });
    expect(client.connected).toBe(true);
    await client.endAsync();
    const refused = await mqtt.connectAsync(`ws://127.0.0.1:${t.addresses.ws}/mqtt`, { clientId: 'RIG-02', reconnectPeriod: 0 }).then(
      () => 'connected',
      (err: { code?: number }) => err.code,
    );
    expect(refused).toBe(5);
  });

  it('reports a port already in use as ServerListenFailed', async () => {
    const other = createServer({ dataDir: path.join(t.dataDir, 'other'), mqtt: { port: t.addresses.mqtt, host: '127.0.0.1' }, http: { port: 0, host: '127.0.0.1' }, log: { level: 'silent' } });
    const err = await other.start().catch((e: unknown) => e);
    expect(isHubflashError(err, ErrorCode.ServerListenFailed)).toBe(true);
  });
});
