import { expect } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildImage, generateManufacturerKeyPair, type ImageSpec } from '../../../protocol/image/index.ts';
import type { HanVariant } from '../../../protocol/mqtt/index.ts';
import { AuditLog } from '../../../server/audit/AuditLog.ts';
import { Catalogue, type FirmwareEntry } from '../../../server/domain/catalogue/Catalogue.ts';
import { ImageFiles } from '../../../server/domain/catalogue/ImageFiles.ts';
import type { HubRecord } from '../../../server/domain/inventory/hub.ts';
import { Inventory } from '../../../server/domain/inventory/Inventory.ts';
import { ordersConfigSchema, type OrdersConfigInput } from '../../../server/domain/orders/config.ts';
import type { OrdersContext } from '../../../server/domain/orders/context.ts';
import { OrderDesk } from '../../../server/domain/orders/OrderDesk.ts';
import type { OrderInput } from '../../../server/domain/orders/model.ts';
import { putLine } from '../../../server/domain/orders/orderStore.ts';
import { LevelStore } from '../../../server/storage/LevelStore.ts';
import { ServerHooks } from '../../../server/hooks.ts';
import { IngestStats } from '../../../server/ingest/IngestStats.ts';
import { ResultIngest } from '../../../server/ingest/ResultIngest.ts';
import { ordersResultHook } from '../../../server/plugins/orders.ts';
import { decodeJobRequest, decodeResult, type JobRequestMessage, type ResultMessage, type ResultMessageInput } from '../../../protocol/mqtt/index.ts';
import { randomUUID } from 'node:crypto';
import pino from 'pino';

export const keys = generateManufacturerKeyPair();
export const COMPANY_PREFIX = '5012345';
export const OPERATOR = 'token:op1:Olive';

/** Hub i: CHF 00-DB-00-00-00-00-(2i), GPF the next ID. */
export function chf(i: number, gpf = false): string {
  const n = BigInt(i) * 2n + (gpf ? 1n : 0n) + 0x00db_0000_0000_0000n;
  return n.toString(16).toUpperCase().padStart(16, '0').match(/../g)!.join('-');
}

export function hubRecord(i: number, over: Partial<HubRecord> = {}): HubRecord {
  return {
    chfId: chf(i),
    gpfId: chf(i, true),
    manufacturerCode: 0x121d,
    model: 'EDMI-CH2',
    hardwareVersion: 0x1111,
    hanVariant: (i % 2 === 0 ? 'DualBand' : 'SingleBand') as HanVariant,
    region: 'North',
    smiStatus: 'Whitelisted',
    firmwareVersion: '01260300',
    firmwareSource: 'smi',
    custody: 'with-user',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

export const V_OLD = 0x01260300;
export const V_NEW = 0x02000100;

export function imageSpec(over: Partial<ImageSpec> = {}): ImageSpec {
  return {
    manufacturerCode: 0x121d,
    imageType: 0,
    fileVersion: V_NEW,
    minHardwareVersion: 0x1111,
    maxHardwareVersion: 0x1211,
    upgradeableFrom: [V_OLD],
    payload: new Uint8Array(300).map((_, i) => i & 0xff),
    ...over,
  };
}

/** A controllable clock. */
export class Clock {
  constructor(public t = Date.parse('2026-11-28T10:00:00.000Z')) {}
  now = (): Date => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Harness {
  dir: string;
  store: LevelStore;
  inventory: Inventory;
  catalogue: Catalogue;
  audit: AuditLog;
  clock: Clock;
  ctx: OrdersContext;
  desk: OrderDesk;
  addHubs(records: HubRecord[]): Promise<void>;
  addImage(spec?: Partial<ImageSpec>, options?: { approve?: boolean; installationEndDate?: string }): Promise<FirmwareEntry>;
  /** The core's result pipeline with the orders hook, as the server runs it. */
  results: ResultIngest;
  /** Its counters (e.g. how many groups it wrote). */
  ingestStats: IngestStats;
  /** A rig's result for a hub through the real pipeline (stored, de-duplicated, applied with the hooks, acknowledged). */
  report(result: ResultMessage): Promise<void>;
  /** Closes the database and opens everything again on the same data dir (a restart). */
  restart(): Promise<Harness>;
  close(): Promise<void>;
}

/** The real parts on LevelDB in a temp dir. */
export async function openHarness(config: OrdersConfigInput = {}, existingDir?: string): Promise<Harness> {
  const dir = existingDir ?? mkdtempSync(path.join(tmpdir(), 'hubflash-orders-'));
  const keyFile = path.join(dir, 'maker.pem');
  writeFileSync(keyFile, keys.publicKeyPem);
  const store = await LevelStore.open(path.join(dir, 'db'));
  const inventory = new Inventory(store);
  await inventory.open();
  const audit = AuditLog.inDataDir(dir);
  const catalogue = new Catalogue(store, new ImageFiles(path.join(dir, 'images')), audit, [keyFile]);
  const clock = new Clock();
  const ctx: OrdersContext = { store, inventory, catalogue, audit, config: ordersConfigSchema.parse(config), gs1CompanyPrefix: COMPANY_PREFIX, now: clock.now };
  const desk = new OrderDesk(ctx);
  const hooks = new ServerHooks();
  hooks.onResultApplied(ordersResultHook(desk));
  const ingestStats = new IngestStats();
  const results = new ResultIngest({
    store, inventory, catalogue, audit, hooks, stats: ingestStats, log: pino({ level: 'silent' }), maxGroupSize: 1000,
    publish: async () => {},
    finished: () => {},
  });
  return {
    results,
    ingestStats,
    report: async (result) => {
      results.submit(result.rigId, result);
      await results.idle();
    },
    dir,
    store,
    inventory,
    catalogue,
    audit,
    clock,
    ctx,
    desk,
    addHubs: (records) => inventory.lock.run(() => inventory.commit(records.map((after) => ({ after, events: [{ type: 'import', at: after.updatedAt, by: 'test' }] })))),
    addImage: async (spec = {}, options = {}) =>
      (await catalogue.add(buildImage(imageSpec(spec), keys.privateKeyPem), { by: 'test', approve: options.approve ?? true, ...(options.installationEndDate ? { installationEndDate: options.installationEndDate } : {}) })).entry,
    restart: async () => {
      await store.close();
      return openHarness(config, dir);
    },
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An order of hubs given as units, cartons or a pallet. */
export function orderInput(over: Partial<OrderInput> & { hubs?: string[] } = {}): OrderInput {
  const { hubs, ...rest } = over;
  return {
    reference: 'PO-1',
    kind: 'return-for-reflash',
    party: { id: 'SUPPLIER-A', name: 'Supplier A' },
    deliveryLocation: { id: 'DEPOT-1', name: 'Depot 1' },
    targets: [{ model: 'EDMI-CH2', firmwareVersion: '2.0.1' }],
    arrivals: (hubs ?? [chf(0), chf(1)]).map((chfId) => ({ type: 'unit' as const, chfId })),
    ...rest,
  };
}

/** What a rig reports after flashing `image` onto hub i (verified unless told otherwise). */
export function resultFor(i: number, image: FirmwareEntry, over: Partial<ResultMessageInput> = {}): ResultMessage {
  const hub = hubRecord(i);
  return decodeResult(
    JSON.stringify({
      v: 1,
      resultId: randomUUID(),
      rigId: 'RIG-01',
      hub: { chfId: hub.chfId, gpfId: hub.gpfId!, manufacturerCode: hub.manufacturerCode!, model: hub.model!, hardwareVersion: hub.hardwareVersion!, hanVariant: hub.hanVariant! },
      from: { version: '01260300' },
      to: { version: image.fileVersion, hash: image.sha256 },
      outcome: 'verified',
      imageHash: image.sha256,
      bytesSent: image.size,
      bytesResent: 0,
      resumes: 0,
      phases: { transfer: 100 },
      startedAt: '2026-11-28T10:00:00.000Z',
      finishedAt: '2026-11-28T10:00:30.000Z',
      orderId: 'ORD-000001',
      jobId: `ORD-000001:${hub.chfId}`,
      ...over,
    } satisfies ResultMessageInput),
  );
}

/** A rig's job request for hub i, reading what the inventory says unless told otherwise. */
export function jobRequestFor(i: number, over: Partial<JobRequestMessage['hub']> = {}, rigId = 'RIG-01'): JobRequestMessage {
  const hub = hubRecord(i);
  return decodeJobRequest(
    JSON.stringify({
      v: 1,
      requestId: randomUUID(),
      rigId,
      hub: { chfId: hub.chfId, gpfId: hub.gpfId, manufacturerCode: hub.manufacturerCode, model: hub.model, hardwareVersion: hub.hardwareVersion, hanVariant: hub.hanVariant, imageType: 0, firmware: { version: '01260300' }, ...over },
      at: '2026-11-28T10:00:00.000Z',
    }),
  );
}

/**
 * Setup for ASN tests: hubs [from, from+count) already at `image` in the inventory and at the
 * CSP, taken on an order whose lines are then marked verified (as results would leave them).
 */
export async function verifiedOrder(h: Harness, image: FirmwareEntry, count: number, over: Partial<OrderInput> & { from?: number } = {}): Promise<string> {
  const { from = 0, ...input } = over;
  const ids = Array.from({ length: count }, (_, k) => from + k);
  await h.addHubs(ids.map((i) => hubRecord(i, { firmwareVersion: image.fileVersion, firmwareHash: image.sha256, firmwareSource: 'rig', custody: 'at-csp' })));
  const taken = await h.desk.take(orderInput({ kind: 'supply-chain-uplift', hubs: ids.map((i) => chf(i)), ...input }), OPERATOR);
  if (taken.order.kind === 'return-for-reflash') await h.desk.receive(taken.order.orderId, {}, OPERATOR);
  await markVerified(h, taken.order.orderId, ids.map((i) => chf(i)));
  return taken.order.orderId;
}

export async function markVerified(h: Harness, orderId: string, chfIds: string[]): Promise<void> {
  const lines = await h.desk.lines(orderId);
  const wanted = new Set(chfIds);
  await h.store.batch(lines.filter((l) => wanted.has(l.chfId)).map((l) => putLine(orderId, { ...l, state: 'verified', rigId: 'RIG-01' })));
}

/** Awaits `p` and asserts it rejects with a HubflashError of `code`; returns it. */
export async function rejection(p: Promise<unknown>, code: ErrorCode): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isHubflashError(err, code), `expected ${ErrorCode[code]}, got ${String(err)}`).toBe(true);
  return err as Error;
}
