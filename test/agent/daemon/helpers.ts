import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import { pino, type Logger } from 'pino';
import { afterEach } from 'vitest';
import { BirthCounter, ResultOutbox, ServerLink, type ServerLinkOptions } from '../../../agent/daemon/index.ts';
import { allRigsFilter, decodeHeartbeat, decodeJobRequest, decodeResult, decodeStatus, type HeartbeatMessage, type JobRequestHub, type JobRequestMessage, type ResultMessage, type StatusMessage } from '../../../protocol/mqtt/index.ts';
import type { TestServer } from '../../server/helpers/server.ts';
import { hubId } from '../../server/helpers/snapshot.ts';

export { tempDir } from '../../server/helpers/tempDir.ts';
export { waitFor } from '../../server/helpers/server.ts';
export { sampleResult } from '../../protocol/mqtt/fixtures.ts';

/** What a rig reads from hub i of the sample inventory (EDMI, hardware 0x1111, running 01260300). */
export const requestHub = (i: number, over: Partial<JobRequestHub> = {}): JobRequestHub => ({
  chfId: hubId(i),
  gpfId: hubId(i, true),
  manufacturerCode: 0x121d,
  model: 'EDMI-CH2',
  hardwareVersion: 0x1111,
  hanVariant: 'DualBand',
  imageType: 0,
  firmware: { version: '01260300' },
  ...over,
});

/** Everything the parts under test log, as objects, so a test can look for a warning. */
export function capturedLogger(): { logger: Logger; lines: Array<{ level: number; msg: string; [key: string]: unknown }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

/** A TCP port nothing listens on (yet): for a server started after its clients. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Closers run after each test, newest first, whatever the test's outcome. */
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});
export function onCleanup(close: () => Promise<unknown>): void {
  closers.push(close);
}

export interface TestLink {
  link: ServerLink;
  outbox: ResultOutbox;
  birth: BirthCounter;
  dataDir: string;
}

/** A ServerLink over a real outbox and birth counter in `dataDir`, with fast timers; not started. */
export async function openLink(dataDir: string, options: Omit<ServerLinkOptions, 'outbox' | 'birth'>): Promise<TestLink> {
  const outbox = await ResultOutbox.open(path.join(dataDir, 'outbox'));
  const birth = new BirthCounter(dataDir);
  const link = new ServerLink({ reconnectMinMs: 20, reconnectMaxMs: 200, heartbeatMs: 100, resendMs: 60_000, ...options, outbox, birth });
  onCleanup(async () => {
    await link.stop();
    await outbox.close();
  });
  return { link, outbox, birth, dataDir };
}

/** The mqtt.js client inside a link, to break its connection the hard way. */
export function linkClient(link: ServerLink): MqttClient {
  const client = (link as unknown as { client: MqttClient | undefined }).client;
  if (!client) throw new Error('the link has no client');
  return client;
}

export interface Observer {
  client: MqttClient;
  /** With whether the broker delivered it as its retained message. */
  statuses: Array<StatusMessage & { retained: boolean }>;
  heartbeats: HeartbeatMessage[];
  results: ResultMessage[];
  jobRequests: JobRequestMessage[];
}

/** An operator's read-only MQTT tool watching every rig's status, heartbeats and results. */
export async function observe(t: TestServer, url = t.mqttUrl): Promise<Observer> {
  const client = await mqtt.connectAsync(url, { clientId: `op:watch-${process.pid}-${Math.random().toString(36).slice(2)}`, username: '$token', password: t.tokens.viewer, reconnectPeriod: 0 });
  const seen: Observer = { client, statuses: [], heartbeats: [], results: [], jobRequests: [] };
  client.on('message', (topic, payload, packet) => {
    if (topic.endsWith('/status')) seen.statuses.push({ ...decodeStatus(payload), retained: packet.retain });
    if (topic.endsWith('/heartbeat')) seen.heartbeats.push(decodeHeartbeat(payload));
    if (topic.endsWith('/results')) seen.results.push(decodeResult(payload));
    if (topic.endsWith('/job-request')) seen.jobRequests.push(decodeJobRequest(payload));
  });
  await client.subscribeAsync([allRigsFilter('status'), allRigsFilter('heartbeat'), allRigsFilter('results'), allRigsFilter('job-request')], { qos: 1 });
  onCleanup(() => client.endAsync(true));
  return seen;
}
