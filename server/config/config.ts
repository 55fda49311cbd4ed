import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { DEFAULT_ORDERS_CONFIG, ordersConfigSchema } from '../domain/orders/config.ts';

/**
 * The server's configuration: a JSON file over embedded defaults. Paths in the file are relative
 * to the file's folder. Every field has a default, so `{}` (or no file) is a working server.
 */

const port = z.int().min(0).max(65535);
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const mqttSchema = z.strictObject({
  host: z.string().default('0.0.0.0'),
  /** Plain TCP; 0 picks a free port. */
  port: port.default(1883),
  tls: z
    .strictObject({ host: z.string().optional(), port: port.default(8883), cert: z.string(), key: z.string(), ca: z.string().optional() })
    .optional(),
  websocket: z.strictObject({ host: z.string().optional(), port: port.default(8083), path: z.string().default('/mqtt') }).optional(),
  /** A client whose socket stays full this long is disconnected, so it cannot stall delivery to others. */
  drainTimeoutMs: z.int().positive().default(10_000),
  /** Our topics have at most 6 levels; deeper ones are refused before routing. */
  maxTopicLevels: z.int().min(6).max(100).default(8),
  /** Inbound QoS 2 messages a client may hold awaiting PUBREL. */
  maxInflightInbound: z.int().positive().default(100),
  /** Messages the broker delivers concurrently. */
  concurrency: z.int().positive().default(200),
  /** Packets queued per client before its session is set up. */
  queueLimit: z.int().positive().default(42),
  connectTimeoutMs: z.int().positive().default(10_000),
  /** Longest keep-alive a client may ask for, seconds. */
  keepaliveLimitS: z.int().positive().default(300),
});

const httpSchema = z.strictObject({
  host: z.string().default('0.0.0.0'),
  port: port.default(8080),
  /** Largest firmware image accepted on upload, bytes. */
  maxImageBytes: z.int().positive().default(16 * 1024 * 1024),
});

/** A token provisioned in the config rather than with `hubflash server token create`. */
const configToken = z.strictObject({
  id: z.string().regex(/^[a-z0-9]{4,32}$/),
  name: z.string().min(1).max(100),
  role: z.enum(ROLES),
  /** scrypt hash, as `hubflash server token hash` prints it. */
  hash: z.string().startsWith('scrypt$'),
});

export const serverConfigSchema = z.strictObject({
  dataDir: z.string().default('./data'),
  /**
   * Run storage, ingest, the domain and the API in a worker thread, and the MQTT broker on the
   * main thread (two cores at work). Needs plugins that can be made again in that thread.
   */
  storageThread: z.boolean().default(true),
  mqtt: mqttSchema.default(mqttSchema.parse({})),
  http: httpSchema.default(httpSchema.parse({})),
  /** PEM files of the manufacturer public keys images must be signed with. */
  trustedManufacturerKeys: z.array(z.string()).default([]),
  /** GS1 company prefix for SSCCs (used by the ASN work); a placeholder until configured. */
  gs1CompanyPrefix: z.string().regex(/^\d{7,10}$/).default('0000000'),
  tokens: z.array(configToken).default([]),
  storage: z
    .strictObject({
      cacheSizeMiB: z.number().positive().default(8),
      writeBufferSizeMiB: z.number().positive().default(8),
    })
    .default({ cacheSizeMiB: 8, writeBufferSizeMiB: 8 }),
  ingest: z
    .strictObject({
      /** Most results written in one synced LevelDB batch (group commit). */
      maxGroupSize: z.int().positive().default(1000),
    })
    .default({ maxGroupSize: 1000 }),
  presence: z
    .strictObject({
      /** A rig silent this long (no heartbeat) is shown as stale. */
      staleAfterMs: z.int().positive().default(60_000),
    })
    .default({ staleAfterMs: 60_000 }),
  import: z
    .strictObject({
      /** Rows written per LevelDB batch: 1000 keeps a 1 M-hub import's peak memory well under 300 MiB. */
      batchSize: z.int().positive().default(1000),
      /** Invalid rows listed in an import report; all are counted. */
      maxErrorsReported: z.int().nonnegative().default(100),
    })
    .default({ batchSize: 1000, maxErrorsReported: 100 }),
  log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).default({ level: 'info' }),
  /** Orders, ASNs, charges tariff, stock report (server/domain/orders/config.ts). */
  orders: ordersConfigSchema.default(DEFAULT_ORDERS_CONFIG),
});

export type ServerConfig = z.output<typeof serverConfigSchema>;
export type ServerConfigInput = z.input<typeof serverConfigSchema>;

/** Validates a config object; relative paths resolve against `baseDir`. */
export function resolveServerConfig(input: unknown, baseDir = process.cwd()): ServerConfig {
  const parsed = serverConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
    throw new HubflashError(ErrorCode.ServerConfigInvalid, `Invalid server config: ${issues.join('; ')}`, { issues });
  }
  const c = parsed.data;
  const abs = (p: string): string => path.resolve(baseDir, p);
  return {
    ...c,
    dataDir: abs(c.dataDir),
    trustedManufacturerKeys: c.trustedManufacturerKeys.map(abs),
    mqtt: {
      ...c.mqtt,
      ...(c.mqtt.tls ? { tls: { ...c.mqtt.tls, cert: abs(c.mqtt.tls.cert), key: abs(c.mqtt.tls.key), ...(c.mqtt.tls.ca ? { ca: abs(c.mqtt.tls.ca) } : {}) } } : {}),
    },
  };
}

/** Reads a JSON config file; with no path, the embedded defaults. */
export function loadServerConfig(file?: string): ServerConfig {
  if (file === undefined) return resolveServerConfig({});
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HubflashError(ErrorCode.ServerConfigInvalid, `Cannot read the server config ${file}: ${(err as Error).message}`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new HubflashError(ErrorCode.ServerConfigInvalid, `The server config ${file} is not JSON: ${(err as Error).message}`, { file });
  }
  return resolveServerConfig(json, path.dirname(path.resolve(file)));
}
