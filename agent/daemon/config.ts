import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { isRigId } from '../../protocol/mqtt/index.ts';

/**
 * `hubflash agent --config FILE`: what a rig needs to run unattended. Paths in the file are
 * relative to the file's folder. Secrets may be given inline or, better, as a file readable only
 * by the agent's user.
 */
const usbId = z.union([z.int().min(0).max(0xffff), z.string().regex(/^(0x)?[0-9a-fA-F]{1,4}$/).transform((s) => Number.parseInt(s.replace(/^0x/, ''), 16))]);
const deviceFilter = z.strictObject({ vendorId: usbId, productId: usbId });

export const agentConfigSchema = z
  .strictObject({
    rigId: z.string().refine(isRigId, 'a rig ID is 1-64 letters, digits, ".", "_" or "-"'),
    /** The rig's MQTT secret, as `hubflash rig add` printed it. */
    secret: z.string().min(1).optional(),
    secretFile: z.string().optional(),
    /** The broker, e.g. mqtt://server:1883 or mqtts://server:8883. */
    serverUrl: z.string().regex(/^(mqtts?|wss?):\/\//, 'expected mqtt://, mqtts://, ws:// or wss://'),
    /** The server's HTTP API, for image downloads, e.g. http://server:8080. */
    httpUrl: z.url(),
    /** A CA certificate (PEM file) for TLS to the broker, when it is not publicly trusted. */
    caFile: z.string().optional(),
    /** Serial maintenance ports given by path. */
    ports: z.array(z.string()).default([]),
    /** Serial ports found by USB vendor and product ID (USB-serial adapters). */
    serialFilters: z.array(deviceFilter).default([]),
    /** Hubs with a native USB maintenance interface, by vendor and product ID. */
    usbFilters: z.array(deviceFilter).default([]),
    baudRate: z.int().positive().default(921_600),
    concurrency: z.int().min(1).max(256).default(16),
    /** Journal, outbox, image cache, birth counter. */
    dataDir: z.string().default('./rig-data'),
    /** PEM files of the manufacturer keys images must be signed with. */
    trustedKeys: z.array(z.string()).min(1, 'give at least one trusted manufacturer key'),
    heartbeatMs: z.int().min(100).default(10_000),
    resendMs: z.int().min(100).default(30_000),
    /** How often explicit serial paths that are absent are looked for again. */
    rescanMs: z.int().min(50).default(2_000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  })
  .refine((c) => c.secret !== undefined || c.secretFile !== undefined, {
    message: 'give secret or secretFile',
    path: ['secret'],
    // Checked even when another field has the wrong type, so one run names every problem.
    when: ({ value }) => typeof value === 'object' && value !== null && !Array.isArray(value),
  });

export type AgentConfigFile = z.input<typeof agentConfigSchema>;
export type AgentConfig = z.output<typeof agentConfigSchema> & { secret: string; trustedKeyPems: string[]; ca?: Buffer };

/** Reads and checks a config file; every problem is one ConfigInvalid error naming the fields. */
export function loadAgentConfig(file: string): AgentConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HubflashError(ErrorCode.ConfigInvalid, `cannot read agent config ${file}: ${(err as Error).message}`, { file });
  }
  return resolveAgentConfig(raw, path.dirname(path.resolve(file)));
}

export function resolveAgentConfig(raw: unknown, baseDir: string): AgentConfig {
  const parsed = agentConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
    throw new HubflashError(ErrorCode.ConfigInvalid, `agent config is invalid: ${issues.join('; ')}`, { issues });
  }
  const c = parsed.data;
  const at = (p: string): string => path.resolve(baseDir, p);
  const read = (p: string, what: string): string => {
    try {
      return readFileSync(at(p), 'utf8');
    } catch (err) {
      throw new HubflashError(ErrorCode.ConfigInvalid, `cannot read the ${what} ${at(p)}: ${(err as Error).message}`, { file: at(p) });
    }
  };
  return {
    ...c,
    dataDir: at(c.dataDir),
    ports: c.ports,
    secret: c.secret ?? read(c.secretFile!, 'secret file').trim(),
    trustedKeyPems: c.trustedKeys.map((k) => read(k, 'trusted key')),
    ...(c.caFile ? { ca: Buffer.from(read(c.caFile, 'CA certificate')) } : {}),
  };
}
