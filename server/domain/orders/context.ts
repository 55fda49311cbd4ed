import type { AuditInput } from '../../audit/entry.ts';
import type { Store } from '../../storage/Store.ts';
import type { FirmwareEntry } from '../catalogue/Catalogue.ts';
import type { Inventory } from '../inventory/Inventory.ts';
import type { OrdersConfig } from './config.ts';

/** The parts of the catalogue orders read. */
export interface CatalogueView {
  list(): Promise<FirmwareEntry[]>;
  find(sha256: string): Promise<FirmwareEntry | undefined>;
}

export interface AuditSink {
  append(inputs: readonly AuditInput[], options?: { sync?: boolean }): Promise<unknown>;
}

/**
 * What the orders, jobs, ASN, charges and custody code works with. Every write runs under the
 * inventory's write lock (`inventory.lock`), the one lock for all read-modify-writes of the
 * Store, so an order, its hubs' custody and an ASN always move together.
 */
export interface OrdersContext {
  store: Store;
  inventory: Inventory;
  catalogue: CatalogueView;
  audit: AuditSink;
  config: OrdersConfig;
  gs1CompanyPrefix: string;
  now: () => Date;
}
