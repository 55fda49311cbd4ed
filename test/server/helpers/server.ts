import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { generateManufacturerKeyPair } from '../../../protocol/image/index.ts';
import { addRig, createToken } from '../../../server/admin.ts';
import { createServer, type CreateServerOptions, type HubflashServer, type ServerAddresses, type ServerConfigInput } from '../../../server/index.ts';
import { tempDir } from './tempDir.ts';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface TestServer {
  server: HubflashServer;
  addresses: ServerAddresses;
  dataDir: string;
  tokens: { viewer: string; operator: string; admin: string };
  secrets: Record<string, string>;
  /** The manufacturer key pair the server trusts. */
  manufacturer: { privateKeyPem: string; publicKeyPem: string };
  logs: LogLine[];
  /** A JSON request to the API with a token (default: admin). */
  api(method: string, url: string, options?: { token?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  connectRig(rigId: string, options?: Partial<IClientOptions>): Promise<MqttClient>;
  mqttUrl: string;
  stop(): Promise<void>;
}

/** A real server on ephemeral ports over a temp data dir, with rigs and tokens of each role. */
export async function startTestServer(
  options: { rigs?: string[]; config?: ServerConfigInput; dataDir?: string; serverOptions?: CreateServerOptions } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir();
  const secrets: Record<string, string> = {};
  for (const rigId of options.rigs ?? ['RIG-01', 'RIG-02']) secrets[rigId] = await addRig(dataDir, rigId, 'test');
  const tokens = {
    viewer: (await createToken(dataDir, 'vic', 'viewer', 'test')).token,
    operator: (await createToken(dataDir, 'olga', 'operator', 'test')).token,
    admin: (await createToken(dataDir, 'ada', 'admin', 'test')).token,
  };
  const manufacturer = generateManufacturerKeyPair();
  const keyPath = path.join(dataDir, 'manufacturer.pem');
  writeFileSync(keyPath, manufacturer.publicKeyPem);
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const server = createServer(
    { dataDir, mqtt: { port: 0, host: '127.0.0.1' }, http: { port: 0, host: '127.0.0.1' }, trustedManufacturerKeys: [keyPath], ...options.config },
    { logger: pino({ level: 'info' }, sink), ...options.serverOptions },
  );
  const addresses = await server.start();
  const base = `http://127.0.0.1:${addresses.http}`;
  const clients: MqttClient[] = [];
  const mqttUrl = `mqtt://127.0.0.1:${addresses.mqtt}`;
  return {
    server,
    addresses,
    dataDir,
    tokens,
    secrets,
    manufacturer,
    logs,
    mqttUrl,
    async api(method, url, { token = tokens.admin, body, headers = {} } = {}) {
      const isJson = body !== undefined && !(body instanceof Uint8Array) && typeof body !== 'string';
      const res = await fetch(base + url, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(isJson ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: isJson ? JSON.stringify(body) : (body as NonNullable<RequestInit['body']>) } : {}),
      });
      const text = res.headers.get('content-type')?.includes('json') ? await res.text() : undefined;
      return { status: res.status, body: text !== undefined ? JSON.parse(text) : new Uint8Array(await res.arrayBuffer()), headers: res.headers };
    },
    async connectRig(rigId, extra = {}) {
      const client = await mqtt.connectAsync(mqttUrl, { clientId: rigId, username: rigId, password: secrets[rigId], reconnectPeriod: 0, ...extra });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      await server.stop();
    },
  };
}

/** Waits for a condition, polling, up to a deadline; fails with `what` if it never holds. */
export async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Connects and returns the CONNACK refusal, or 'connected'. */
export async function tryConnect(url: string, options: IClientOptions): Promise<string> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 3000, ...options });
    client.once('connect', () => {
      client.end(true);
      resolve('connected');
    });
    client.once('error', (err: Error & { code?: number }) => {
      client.end(true);
      resolve(`refused:${err.code ?? err.message}`);
    });
    client.once('close', () => resolve('closed'));
  });
}
