import type { Store } from '../../storage/Store.ts';
import type { FirmwareEntry } from '../catalogue/Catalogue.ts';
import { decodeHub } from '../inventory/hub.ts';
import { HUB_PREFIX } from '../inventory/keys.ts';
import type { Custody } from '../inventory/values.ts';
import { ukToday } from '../orders/clock.ts';
import { PrefixCursor } from '../reconciliation/cursor.ts';
import { toCsv } from './csv.ts';

/** Who holds a hub, from its custody: the User, the CSP, or a carrier between them. */
export const HOLDERS: Record<Custody, string> = {
  'with-user': 'User',
  delivered: 'User',
  'at-csp': 'CSP',
  'on-rig': 'CSP',
  'in-transit-to-csp': 'in transit',
  'in-transit-to-user': 'in transit',
};

export interface StockRow {
  firmwareVersion: string;
  region: string;
  hanVariant: string;
  holder: string;
  hubs: number;
  /** The firmware's installation end date, when the catalogue knows it. */
  installationEndDate?: string;
  pastInstallationEnd: number;
  withinWarning: number;
}

export interface StockReport {
  at: string;
  today: string;
  warningDays: number;
  total: number;
  pastInstallationEnd: number;
  withinWarning: number;
  /** Hubs whose firmware has no installation end date in the catalogue. */
  endDateUnknown: number;
  rows: StockRow[];
  by: Record<'firmwareVersion' | 'region' | 'hanVariant' | 'holder', Record<string, { hubs: number; pastInstallationEnd: number; withinWarning: number }>>;
}

const UNKNOWN = '(unknown)';

/**
 * Stock by firmware version, region, HAN variant and holder, with how many hubs run firmware
 * past its installation end date or within the warning window of it: one pass over the inventory.
 * A hub's end date comes from its firmware hash when the catalogue knows it, else its version
 * (the earliest date among that version's images).
 */
export async function stockReport(store: Store, images: readonly FirmwareEntry[], options: { now: Date; warningDays: number }): Promise<StockReport> {
  const today = ukToday(options.now);
  // The last day of the window: today's UK date plus the days, as calendar dates (adding the
  // days to the time of day instead lands a day out near midnight when the clocks change between).
  const horizon = addDays(today, options.warningDays);
  const byHash = new Map(images.filter((i) => i.installationEndDate).map((i) => [i.sha256, i.installationEndDate!]));
  const byVersion = new Map<string, string>();
  for (const i of images) {
    if (!i.installationEndDate) continue;
    const known = byVersion.get(i.fileVersion);
    if (known === undefined || i.installationEndDate < known) byVersion.set(i.fileVersion, i.installationEndDate);
  }
  const rows = new Map<string, StockRow>();
  const report: StockReport = { at: options.now.toISOString(), today, warningDays: options.warningDays, total: 0, pastInstallationEnd: 0, withinWarning: 0, endDateUnknown: 0, rows: [], by: { firmwareVersion: {}, region: {}, hanVariant: {}, holder: {} } };
  const cursor = new PrefixCursor(store, HUB_PREFIX, 2000);
  try {
    for (let id = await cursor.peek(); id !== undefined; id = await cursor.peek()) {
      const hub = decodeHub(id, cursor.take());
      const end = (hub.firmwareHash ? byHash.get(hub.firmwareHash) : undefined) ?? (hub.firmwareVersion ? byVersion.get(hub.firmwareVersion) : undefined);
      const past = end !== undefined && end < today ? 1 : 0;
      const soon = end !== undefined && !past && end <= horizon ? 1 : 0;
      const dims = { firmwareVersion: hub.firmwareVersion ?? UNKNOWN, region: hub.region ?? UNKNOWN, hanVariant: hub.hanVariant ?? UNKNOWN, holder: HOLDERS[hub.custody] ?? hub.custody };
      const key = `${dims.firmwareVersion}|${dims.region}|${dims.hanVariant}|${dims.holder}`;
      let row = rows.get(key);
      if (!row) rows.set(key, (row = { ...dims, hubs: 0, ...(end ? { installationEndDate: end } : {}), pastInstallationEnd: 0, withinWarning: 0 }));
      row.hubs++;
      row.pastInstallationEnd += past;
      row.withinWarning += soon;
      report.total++;
      report.pastInstallationEnd += past;
      report.withinWarning += soon;
      if (end === undefined) report.endDateUnknown++;
      for (const dim of ['firmwareVersion', 'region', 'hanVariant', 'holder'] as const) {
        const group = (report.by[dim][dims[dim]] ??= { hubs: 0, pastInstallationEnd: 0, withinWarning: 0 });
        group.hubs++;
        group.pastInstallationEnd += past;
        group.withinWarning += soon;
      }
    }
  } finally {
    await cursor.close();
  }
  report.rows = [...rows.values()].sort((a, b) => b.hubs - a.hubs || a.firmwareVersion.localeCompare(b.firmwareVersion));
  return report;
}

/** `YYYY-MM-DD` plus `days` calendar days. */
function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export const STOCK_CSV_COLUMNS = ['firmwareVersion', 'region', 'hanVariant', 'holder', 'hubs', 'installationEndDate', 'pastInstallationEnd', 'withinWarning'] as const;

export function stockToCsv(report: StockReport): string {
  return toCsv(STOCK_CSV_COLUMNS, report.rows, (r) => [r.firmwareVersion, r.region, r.hanVariant, r.holder, r.hubs, r.installationEndDate, r.pastInstallationEnd, r.withinWarning]);
}
