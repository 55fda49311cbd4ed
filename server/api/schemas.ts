import { z } from 'zod';
import { HAN_VARIANTS, RESULT_OUTCOMES } from '../../protocol/mqtt/index.ts';
import { CONNECTIVITY, CUSTODY_STATES, REGIONS, SMI_STATUSES } from '../domain/inventory/values.ts';

/**
 * Request and response shapes of the HTTP API. Requests are validated with them; responses are
 * documented by them in the OpenAPI document and checked against them in the tests.
 */

export const errorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'HF0606' }),
      name: z.string().meta({ example: 'DeviceNotFound' }),
      message: z.string(),
      context: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'Error' });

const hex8 = z.string().regex(/^[0-9A-F]{8}$/);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const eui64 = z.string().regex(/^[0-9A-F]{2}(?:-[0-9A-F]{2}){7}$/);

export const hubRecord = z
  .object({
    chfId: eui64,
    gpfId: eui64.optional(),
    manufacturer: z.string().optional(),
    manufacturerCode: z.int().optional(),
    model: z.string().optional(),
    hardwareVersion: z.int().optional(),
    hanVariant: z.enum(HAN_VARIANTS).optional(),
    chtsVersion: z.string().optional(),
    gbcsVersion: z.string().optional(),
    region: z.enum(REGIONS).optional(),
    connectivity: z.enum(CONNECTIVITY).optional(),
    smiStatus: z.enum(SMI_STATUSES).optional(),
    firmwareVersion: hex8.optional(),
    firmwareHash: sha256.optional(),
    firmwareSource: z.enum(['smi', 'rig']).optional(),
    custody: z.enum(CUSTODY_STATES),
    updatedAt: z.string(),
    firmwareReportedAt: z.string().optional().describe("When the rig finished the result that set the firmware; an older result doesn't change it"),
  })
  .meta({ id: 'Hub' });

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().optional() });

export const historyEvent = z
  .object({
    seq: z.string(),
    type: z.enum(['import', 'status-change', 'firmware-mismatch', 'flash-attempt', 'result', 'custody-change']),
    at: z.string(),
    by: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'HistoryEvent' });

export const deviceFilter = z.strictObject({
  status: z.enum(SMI_STATUSES).optional(),
  firmwareVersion: z.string().optional().meta({ description: '8 hex digits or dotted, e.g. 01260300 or 1.38.3' }),
  region: z.enum(REGIONS).optional(),
  hanVariant: z.enum(HAN_VARIANTS).optional(),
  model: z.string().max(64).optional(),
  custody: z.enum(CUSTODY_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(100).optional().meta({ description: 'nextCursor of the previous page' }),
});

export const importReport = z
  .object({
    rows: z.int(),
    created: z.int(),
    updated: z.int(),
    unchanged: z.int(),
    invalid: z.int(),
    errors: z.array(z.object({ line: z.int(), reason: z.string() })),
    errorsTruncated: z.boolean(),
    durationMs: z.int(),
  })
  .meta({ id: 'ImportReport' });

export const firmwareEntry = z
  .object({
    sha256,
    size: z.int(),
    manufacturerCode: z.int(),
    imageType: z.int(),
    fileVersion: hex8,
    headerString: z.string(),
    minHardwareVersion: z.int().optional(),
    maxHardwareVersion: z.int().optional(),
    upgradeableFrom: z.array(hex8).optional(),
    signerKeyId: z.string(),
    installationEndDate: z.string().optional(),
    approved: z.boolean(),
    approvedBy: z.string().optional(),
    approvedAt: z.string().optional(),
    addedBy: z.string(),
    addedAt: z.string(),
  })
  .meta({ id: 'FirmwareEntry' });

export const rigPresence = z
  .object({
    rigId: z.string(),
    state: z.enum(['online', 'offline', 'unknown']),
    connected: z.boolean(),
    stale: z.boolean(),
    seq: z.int().optional(),
    lastSeen: z.string().optional(),
    agentVersion: z.string().optional(),
    slots: z.object({ total: z.int(), busy: z.int() }).optional(),
    outboxPending: z.int().optional(),
    flashing: z.array(
      z.object({
        chfId: eui64,
        slot: z.string().optional(),
        phase: z.string(),
        bytesSent: z.int(),
        bytesTotal: z.int(),
        rateBytesPerSecond: z.number(),
        targetVersion: z.string().optional(),
        jobId: z.string().optional(),
        since: z.string(),
        updatedAt: z.string(),
      }),
    ),
  })
  .meta({ id: 'RigPresence' });

export const storedResult = z
  .object({
    rigId: z.string(),
    receivedAt: z.string(),
    applied: z.boolean(),
    refused: z.object({ code: z.string(), name: z.string(), message: z.string() }).optional(),
    result: z.object({ resultId: z.string(), outcome: z.enum(RESULT_OUTCOMES) }).loose(),
  })
  .meta({ id: 'StoredResult' });

export const auditEntry = z
  .object({
    seq: z.int(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    subject: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
    prev: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEntry' });

export const auditVerification = z.object({
  ok: z.boolean(),
  entries: z.int(),
  lastHash: z.string(),
  firstBad: z.object({ line: z.int(), seq: z.int().optional(), reason: z.string() }).optional(),
});

export const chfParam = z.strictObject({ chfId: z.string().max(40) });
export const shaParam = z.strictObject({ sha256: z.string().max(80) });
