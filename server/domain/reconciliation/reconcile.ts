import { HUB_PREFIX } from '../inventory/keys.ts';
import { decodeHub, type HubRecord } from '../inventory/hub.ts';
import { INSTALLED_STATUSES } from '../inventory/values.ts';
import { prefixRange, readRange, type Store } from '../../storage/Store.ts';
import { LIVE_ASN_PREFIX, ORDER_PREFIX, READING_PREFIX, linePrefix } from '../orders/keys.ts';
import type { Order, OrderLine } from '../orders/model.ts';
import { PrefixCursor } from './cursor.ts';
import { findGpfDuplicates, GpfCollector } from './duplicates.ts';
import { EXCEPTION_KINDS, type ExceptionKind, type ReconciliationItem, type ReconciliationReport } from './model.ts';
import type { Reading } from './readings.ts';

export interface ReconcileOptions {
  /** Most items listed (all are counted); default 1000. */
  limit?: number;
  kinds?: readonly ExceptionKind[];
  now?: () => Date;
}

/**
 * Lists every disagreement between what rigs read from hubs and the inventory, and between the
 * inventory, the live orders and the live ASNs. One pass over the inventory merged by CHF ID
 * with the rig readings and the live-ASN index (all sorted by CHF ID); the lines of open orders
 * are loaded first (they are few next to the inventory).
 */
export async function reconcile(store: Store, options: ReconcileOptions = {}): Promise<ReconciliationReport> {
  const started = performance.now();
  const limit = options.limit ?? 1000;
  const wanted = options.kinds ? new Set(options.kinds) : undefined;
  const counts = Object.fromEntries(Object.keys(EXCEPTION_KINDS).map((k) => [k, 0])) as Record<ExceptionKind, number>;
  const items: ReconciliationItem[] = [];
  const add = (kind: ExceptionKind, chfId: string, detail: string, extra: Partial<ReconciliationItem> = {}): void => {
    if (wanted && !wanted.has(kind)) return;
    counts[kind]++;
    if (items.length < limit) items.push({ kind, chfId, detail, action: EXCEPTION_KINDS[kind], ...extra });
  };

  const lines = await liveLines(store);
  const gpfs = new GpfCollector();
  const inv = new PrefixCursor(store, HUB_PREFIX);
  const readings = new PrefixCursor(store, READING_PREFIX);
  const asns = new PrefixCursor(store, LIVE_ASN_PREFIX);
  let hubsChecked = 0;
  let readingsChecked = 0;
  try {
    for (;;) {
      const ids = [await inv.peek(), await readings.peek(), await asns.peek()];
      const present = ids.filter((x): x is string => x !== undefined);
      if (present.length === 0) break;
      const id = present.reduce((a, b) => (a < b ? a : b));
      const hub = ids[0] === id ? decodeHub(id, inv.take()) : undefined;
      const reading = ids[1] === id ? (JSON.parse(readings.take()) as Reading) : undefined;
      const asnId = ids[2] === id ? asns.take() : undefined;
      const onOrder = lines.get(id);
      lines.delete(id);
      if (hub) hubsChecked++;
      if (reading) readingsChecked++;
      if (hub?.gpfId) gpfs.add(hub.gpfId, id);
      checkHub(id, hub, reading, onOrder, asnId, add);
    }
  } finally {
    await Promise.all([inv.close(), readings.close(), asns.close()]);
  }
  // Hubs on live orders that neither the inventory nor any rig knows.
  for (const [id, { orderId }] of lines) add('unknown-hub', id, `On live order ${orderId} but not in the inventory`, { orderId });
  for (const { gpfId, chfIds } of findGpfDuplicates(gpfs)) {
    for (const chfId of chfIds) add('duplicate-id', chfId, `GPF ID ${gpfId} is also the GPF of ${chfIds.filter((c) => c !== chfId).join(', ')} in the inventory`);
  }
  return {
    at: (options.now?.() ?? new Date()).toISOString(),
    hubsChecked,
    readingsChecked,
    counts,
    items,
    truncated: Object.values(counts).reduce((a, b) => a + b, 0) > items.length,
    elapsedMs: Math.round(performance.now() - started),
  };
}

type Add = (kind: ExceptionKind, chfId: string, detail: string, extra?: Partial<ReconciliationItem>) => void;

function checkHub(id: string, hub: HubRecord | undefined, reading: Reading | undefined, onOrder: LiveLine | undefined, asnId: string | undefined, add: Add): void {
  const where = { ...(onOrder ? { orderId: onOrder.orderId } : {}), ...(asnId ? { asnId } : {}), ...(reading ? { rigId: reading.rigId } : {}) };
  if (!hub) {
    const seen = reading ? `read by rig ${reading.rigId} at ${reading.at}` : onOrder ? `on live order ${onOrder.orderId}` : `on live ASN ${asnId}`;
    add('unknown-hub', id, `Not in the inventory but ${seen}`, where);
    return;
  }
  if (hub.smiStatus && INSTALLED_STATUSES.includes(hub.smiStatus) && (reading || onOrder || asnId)) {
    const seen = [reading ? `read by rig ${reading.rigId}` : '', onOrder ? `on order ${onOrder.orderId}` : '', asnId ? `on ASN ${asnId}` : ''].filter(Boolean).join(', ');
    add('status-forbids-flashing', id, `${hub.smiStatus} in the SMI, yet ${seen}`, where);
  } else if (reading?.installState && reading.installState !== 'NotInstalled') {
    add('status-forbids-flashing', id, `The hub reported itself ${reading.installState} to rig ${reading.rigId} at ${reading.at}; the SMI has ${hub.smiStatus ?? 'no status'}`, where);
  }
  if (reading) {
    const differs = <T>(a: T | undefined, b: T | undefined): boolean => a !== undefined && b !== undefined && a !== b;
    if (differs(reading.model, hub.model)) add('model-mismatch', id, `Rig ${reading.rigId} read model ${reading.model}; the inventory has ${hub.model}`, where);
    if (differs(reading.hanVariant, hub.hanVariant)) add('variant-mismatch', id, `Rig ${reading.rigId} read HAN variant ${reading.hanVariant}; the inventory has ${hub.hanVariant}`, where);
    if (differs(reading.hardwareVersion, hub.hardwareVersion) || differs(reading.manufacturerCode, hub.manufacturerCode)) {
      add('hardware-mismatch', id, `Rig ${reading.rigId} read manufacturer ${hex(reading.manufacturerCode)} hardware ${hex(reading.hardwareVersion)}; the inventory has ${hex(hub.manufacturerCode)} ${hex(hub.hardwareVersion)}`, where);
    }
    if (differs(reading.firmwareVersion, hub.firmwareVersion) || differs(reading.firmwareHash, hub.firmwareHash)) {
      add('firmware-mismatch', id, `Rig ${reading.rigId} read firmware ${reading.firmwareVersion} (${reading.firmwareHash ?? 'no hash'}) at ${reading.at}; the inventory has ${hub.firmwareVersion ?? '?'} (${hub.firmwareHash ?? 'no hash'})`, where);
    }
    if (differs(reading.gpfId, hub.gpfId)) add('duplicate-id', id, `Rig ${reading.rigId} read GPF ID ${reading.gpfId} with this CHF ID; the inventory has GPF ${hub.gpfId}`, where);
    else if (reading.otherGpfIds?.length) add('duplicate-id', id, `Rigs have read this CHF ID with GPF IDs ${[reading.gpfId, ...reading.otherGpfIds].join(', ')}`, where);
  }
  const line = onOrder?.line;
  if (line && (line.state === 'verified' || line.state === 'flashed') && !asnId) {
    add('flashed-not-on-asn', id, `Flashed (${line.state}) by ${line.rigId ?? 'a rig'} on order ${onOrder.orderId} and on no live ASN`, where);
  }
  if (asnId) {
    const target = line?.target;
    if (!target || hub.firmwareVersion !== target.version || hub.firmwareHash !== target.hash) {
      add('on-asn-not-verified', id, `On live ASN ${asnId} but the inventory shows firmware ${hub.firmwareVersion ?? '?'} (${hub.firmwareHash ?? 'no hash'}), not the target ${target ? `${target.version} (${target.hash})` : '(none)'}`, where);
    }
  }
}

interface LiveLine {
  orderId: string;
  line: OrderLine;
}

/** The lines of every open order, by CHF ID. */
async function liveLines(store: Store): Promise<Map<string, LiveLine>> {
  const out = new Map<string, LiveLine>();
  for (const [, v] of await readRange(store, prefixRange(ORDER_PREFIX))) {
    const order = JSON.parse(v) as Order;
    if (order.status !== 'open') continue;
    const it = store.iterator(prefixRange(linePrefix(order.orderId)));
    try {
      for (let chunk = await it.nextv(2000); chunk.length > 0; chunk = await it.nextv(2000)) {
        for (const [, text] of chunk) {
          const line = JSON.parse(text) as OrderLine;
          out.set(line.chfId, { orderId: order.orderId, line });
        }
      }
    } finally {
      await it.close();
    }
  }
  return out;
}

function hex(n: number | undefined): string {
  return n === undefined ? '?' : `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;
}
