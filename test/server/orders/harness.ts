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
import { LevelStore } from '../../../server/storage/LevelStore.ts';

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
  close(): Promise<void>;
}

/** The real parts on LevelDB in a temp dir. */
export async function openHarness(config: OrdersConfigInput = {}): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hubflash-orders-'));
  const keyFile = path.join(dir, 'maker.pem');
  writeFileSync(keyFile, keys.publicKeyPem);
  const store = await LevelStore.open(path.join(dir, 'db'));
  const inventory = new Inventory(store);
  await inventory.open();
  const audit = AuditLog.inDataDir(dir);
  const catalogue = new Catalogue(store, new ImageFiles(path.join(dir, 'images')), audit, [keyFile]);
  const clock = new Clock();
  const ctx: OrdersContext = { store, inventory, catalogue, audit, config: ordersConfigSchema.parse(config), gs1CompanyPrefix: COMPANY_PREFIX, now: clock.now };
  return {
    dir,
    store,
    inventory,
    catalogue,
    audit,
    clock,
    ctx,
    desk: new OrderDesk(ctx),
    addHubs: (records) => inventory.lock.run(() => inventory.commit(records.map((after) => ({ after, events: [{ type: 'import', at: after.updatedAt, by: 'test' }] })))),
    addImage: async (spec = {}, options = {}) =>
      (await catalogue.add(buildImage(imageSpec(spec), keys.privateKeyPem), { by: 'test', approve: options.approve ?? true, ...(options.installationEndDate ? { installationEndDate: options.installationEndDate } : {}) })).entry,
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
