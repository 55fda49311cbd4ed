import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { decodeAck, encodeResult, rigCommandFilter, rigTopic } from '../../protocol/mqtt/index.ts';
import { buildImage, generateManufacturerKeyPair } from '../../protocol/image/index.ts';
import { newResultId } from '../../protocol/ids/index.ts';
import { addRig, createToken } from '../../server/admin.ts';
import { createServer, type ServerPlugin } from '../../server/index.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { hubId } from '../../test/server/helpers/snapshot.ts';

export interface RateOptions {
  rigs: number;
  perRig: number;
  /** Results a rig keeps in flight (unacknowledged) at once: its outbox flushing. */
  window: number;
  /** Results per rig driven before timing starts (a fresh server's code is not yet optimised). */
  warmup?: number;
}

/** Publishes `perRig` messages from each client, at most `window` unacknowledged; returns messages/s. */
async function drive(clients: MqttClient[], payloads: (rig: number, i: number) => Buffer, topicOf: (rig: number) => string, acked: (rig: number) => AckWaiter, o: RateOptions): Promise<number> {
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, r) => {
      const waiter = acked(r);
      for (let i = 0; i < o.perRig; i++) {
        await waiter.room(o.window);
        waiter.sent(client.publishAsync(topicOf(r), payloads(r, i), { qos: 1 }));
      }
      await waiter.all();
    }),
  );
  return (o.rigs * o.perRig) / ((performance.now() - started) / 1000);
}

interface AckWaiter {
  sent(publish: Promise<unknown>): void;
  room(window: number): Promise<void>;
  all(): Promise<void>;
}

/** Raw: a message is done when the broker's PUBACK arrives. */
function pubackWaiter(): AckWaiter {
  const inflight = new Set<Promise<unknown>>();
  return {
    sent(p) {
      inflight.add(p);
      void p.then(() => inflight.delete(p));
    },
    async room(window) {
      while (inflight.size >= window) await Promise.race(inflight);
    },
    async all() {
      await Promise.all(inflight);
    },
  };
}

/** Durable: a result is done when the server's application-level ack names it. */
function appAckWaiter(client: MqttClient, total: number): AckWaiter {
  let sent = 0;
  let acked = 0;
  let wake: (() => void) | undefined;
  client.on('message', (_t, payload) => {
    acked += decodeAck(payload).resultIds.length;
    wake?.();
  });
  const until = async (ok: () => boolean): Promise<void> => {
    while (!ok()) await new Promise<void>((resolve) => (wake = resolve));
  };
  return {
    sent(p) {
      sent++;
      void p.catch(() => undefined);
    },
    room: (window) => until(() => sent - acked < window),
    all: () => until(() => acked >= total),
  };
}

export const resultFor = (rigId: string, chf: string, image: { sha256: string; version: string }): Buffer =>
  encodeResult({
    v: 1,
    resultId: newResultId(), // as the agent makes them
    rigId,
    hub: { chfId: chf, gpfId: chf, manufacturerCode: 0x121d, model: 'EDMI-CH2', hardwareVersion: 0x1111, hanVariant: 'DualBand' },
    from: { version: '01260300' },
    to: { version: image.version, hash: image.sha256 },
    outcome: 'verified',
    imageHash: image.sha256,
    bytesSent: 250_000,
    bytesResent: 1024,
    resumes: 1,
    phases: { identify: 120, transfer: 25_000, verify: 900, activate: 3000 },
    startedAt: new Date(Date.now() - 30_000).toISOString(),
    finishedAt: new Date().toISOString(),
  });

/** The raw aedes QoS 1 rate: same clients, same payload size, no auth, no storage. */
export async function rawAedesRate(o: RateOptions, payloadBytes: number): Promise<number> {
  const broker = await Aedes.createBroker();
  const server = createNetServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients = await Promise.all(Array.from({ length: o.rigs }, (_, r) => mqtt.connectAsync(url, { clientId: `raw-${r}`, reconnectPeriod: 0 })));
  const payload = Buffer.alloc(payloadBytes, 0x20);
  try {
    return await drive(clients, () => payload, (r) => `hubflash/v1/rigs/raw-${r}/results`, () => pubackWaiter(), o);
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    server.close();
  }
}

/** Durable results through the real server: validated, synced to LevelDB, applied, acknowledged. */
export interface DurableRun {
  rate: number;
  payloadBytes: number;
  groups: number;
  /** Event-loop utilisation of the main thread (the clients and the broker) and of the storage thread. */
  elu: { main: number; storage?: number };
  /** CPU time of the whole process (every thread, and the kernel on its behalf) per result, µs. */
  cpuPerResultUs: number;
}

/** The image the bench's results claim: signed by a manufacturer key trusted from `keyFile` (written here). */
export function benchImage(dir: string): { keyFile: string; bytes: Uint8Array; image: { sha256: string; version: string } } {
  const keys = generateManufacturerKeyPair();
  const keyFile = path.join(dir, 'manufacturer.pem');
  writeFileSync(keyFile, keys.publicKeyPem);
  const bytes = buildImage({ manufacturerCode: 0x121d, imageType: 0, fileVersion: 0x02010000, payload: new Uint8Array(1000) }, keys.privateKeyPem);
  return { keyFile, bytes, image: { sha256: createHash('sha256').update(bytes).digest('hex'), version: '02010000' } };
}

export async function durableResultRate(o: RateOptions, dataDir: string, serverOptions: { plugins?: ServerPlugin[] } = {}): Promise<DurableRun> {
  const { keyFile, bytes: imageBytes, image } = benchImage(dataDir);
  const secrets = await Promise.all(Array.from({ length: o.rigs }, (_, r) => addRig(dataDir, `RIG-${r}`, 'bench')));
  const { token } = await createToken(dataDir, 'bench', 'admin', 'bench');
  const server = createServer(
    { dataDir, mqtt: { port: 0, host: '127.0.0.1' }, http: { port: 0, host: '127.0.0.1' }, trustedManufacturerKeys: [keyFile] },
    { logger: pino({ level: 'warn' }), ...serverOptions },
  );
  const addresses = await server.start();
  const api = `http://127.0.0.1:${addresses.http}/api/v1`;
  await fetch(`${api}/firmware?approve=true`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body: imageBytes });
  const url = `mqtt://127.0.0.1:${addresses.mqtt}`;
  const clients = await Promise.all(secrets.map((secret, r) => mqtt.connectAsync(url, { clientId: `RIG-${r}`, username: `RIG-${r}`, password: secret, reconnectPeriod: 0 })));
  await Promise.all(clients.map((c, r) => c.subscribeAsync(rigCommandFilter(`RIG-${r}`), { qos: 1 })));
  // Built before timing, like a rig's outbox.
  const warmup = o.warmup ?? 0;
  const perRig = warmup + o.perRig;
  const payloads = clients.map((_, r) => Array.from({ length: perRig }, (_, i) => resultFor(`RIG-${r}`, hubId(r * perRig + i), image)));
  try {
    if (warmup > 0) {
      await drive(clients, (r, i) => payloads[r]![i]!, (r) => rigTopic(`RIG-${r}`, 'results'), (r) => appAckWaiter(clients[r]!, warmup), { ...o, perRig: warmup });
      clients.forEach((c) => c.removeAllListeners('message'));
    }
    const profiling = await startProfile();
    const [main0, storage0, cpu0] = [performance.eventLoopUtilization(), server.storageThreadUtilization(), process.cpuUsage()];
    const rate = await drive(clients, (r, i) => payloads[r]![warmup + i]!, (r) => rigTopic(`RIG-${r}`, 'results'), (r) => appAckWaiter(clients[r]!, o.perRig), o);
    const cpu = process.cpuUsage(cpu0);
    const storage = storage0 && server.storageThreadUtilization(storage0)?.utilization;
    const elu = { main: performance.eventLoopUtilization(main0).utilization, ...(storage !== undefined ? { storage } : {}) };
    await profiling?.();
    const stats = (await (await fetch(`${api}/ingest`, { headers: { authorization: `Bearer ${token}` } })).json()) as { results: { groups: number } };
    return { rate, payloadBytes: payloads[0]![0]!.length, groups: stats.results.groups, elu, cpuPerResultUs: (cpu.user + cpu.system) / (o.rigs * o.perRig) };
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await server.stop();
  }
}

/**
 * With BENCH_PROFILE=dir, a CPU profile of this thread while results are driven (the clients
 * and the broker; the storage thread is not in it), written as dir/durable-<time>.cpuprofile.
 */
async function startProfile(): Promise<(() => Promise<void>) | undefined> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `durable-${Date.now()}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}
