/**
 * `hubflash devices …`: import SMI snapshots and query the hub inventory, through the API.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { ImportReport } from '../../server/domain/import/importer.ts';
import type { StoredHistoryEvent } from '../../server/domain/inventory/history.ts';
import type { HubRecord } from '../../server/domain/inventory/hub.ts';
import type { Page } from '../../server/domain/inventory/Inventory.ts';
import { apiClient, formatTable, print, withApiFlags, type ApiOptions } from '../../server/client/options.ts';

type ReadOptions = ApiOptions & { json?: boolean };

const HUB_HEADERS = ['CHF ID', 'STATUS', 'FIRMWARE', 'REGION', 'HAN', 'MODEL', 'CUSTODY'];
const hubRow = (h: HubRecord): string[] => [h.chfId, h.smiStatus ?? '-', h.firmwareVersion ?? '-', h.region ?? '-', h.hanVariant ?? '-', h.model ?? '-', h.custody];

function reportText(r: ImportReport, shownErrors: number): string {
  const lines = [`${r.rows} rows: ${r.created} new, ${r.updated} updated, ${r.unchanged} unchanged, ${r.invalid} invalid (${(r.durationMs / 1000).toFixed(1)} s)`];
  for (const e of r.errors.slice(0, shownErrors)) lines.push(`  line ${e.line}: ${e.reason}`);
  const hidden = r.invalid - Math.min(shownErrors, r.errors.length);
  if (hidden > 0) lines.push(`  … and ${hidden} more invalid rows`);
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  const devices = program.command('devices').description('The hub inventory: import SMI snapshots, look hubs up');

  withApiFlags(devices.command('import <file>').description('Imports an SMI snapshot (CSV with a header row, a JSON array or JSON Lines), streamed to the server'))
    .option('--format <format>', 'csv or json (default: from the file name)')
    .option('--custody <state>', 'custody of hubs new to the inventory when the file gives none', 'with-user')
    .option('--show-errors <n>', 'invalid rows to list', '20')
    .action(async (file: string, opts: ReadOptions & { format?: string; custody: string; showErrors: string }) => {
      const format = opts.format ?? (/\.csv$/i.test(file) ? 'csv' : 'json');
      const report = await apiClient(opts).upload<ImportReport>('/devices/import', file, format === 'csv' ? 'text/csv' : 'application/octet-stream', {
        format,
        custody: opts.custody,
        source: path.basename(file),
      });
      print(opts.json, report, () => reportText(report, Number(opts.showErrors)));
    });

  withApiFlags(devices.command('get <chfId>').description('One hub by CHF device ID')).action(async (chfId: string, opts: ReadOptions) => {
    const hub = await apiClient(opts).get<HubRecord>(`/devices/${encodeURIComponent(chfId)}`);
    print(opts.json, hub, () => formatTable(['FIELD', 'VALUE'], Object.entries(hub).map(([k, v]) => [k, String(v)])));
  });

  withApiFlags(devices.command('list').description('Hubs matching every filter given, in CHF ID order'))
    .option('--status <status>', 'SMI status, e.g. Whitelisted')
    .option('--firmware <version>', 'firmware version, 8 hex digits or dotted')
    .option('--region <region>', 'North, Central or South')
    .option('--han <variant>', 'SingleBand or DualBand')
    .option('--model <model>', 'hub model')
    .option('--custody <state>', 'custody state')
    .option('--limit <n>', 'hubs per page', '100')
    .option('--cursor <cursor>', 'continue after this page cursor')
    .option('--all', 'follow every page to the end')
    .action(async (opts: ReadOptions & Record<string, string | boolean | undefined>) => {
      const api = apiClient(opts);
      const query = { status: opts.status, firmwareVersion: opts.firmware, region: opts.region, hanVariant: opts.han, model: opts.model, custody: opts.custody, limit: opts.limit } as Record<string, string | undefined>;
      const items: HubRecord[] = [];
      let cursor = opts.cursor as string | undefined;
      do {
        const page = await api.get<Page<HubRecord>>('/devices', { ...query, cursor });
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor && opts.all);
      print(opts.json, { items, ...(cursor ? { nextCursor: cursor } : {}) }, () => formatTable(HUB_HEADERS, items.map(hubRow)) + (cursor ? `(more: --cursor ${cursor})\n` : ''));
    });

  withApiFlags(devices.command('history <chfId>').description("A hub's history: imports, status changes, flash attempts, results, custody")).action(async (chfId: string, opts: ReadOptions) => {
    const page = await apiClient(opts).get<Page<StoredHistoryEvent>>(`/devices/${encodeURIComponent(chfId)}/history`, { limit: 1000 });
    print(opts.json, page, () => formatTable(['AT', 'EVENT', 'BY', 'DETAILS'], page.items.map((e) => [e.at, e.type, e.by, JSON.stringify(e.details ?? {})])));
  });

  withApiFlags(devices.command('stats').description('How many hubs, by status, firmware, region, HAN variant, model and custody')).action(async (opts: ReadOptions) => {
    const stats = await apiClient(opts).get<{ total: number; by: Record<string, Record<string, number>> }>('/devices/stats');
    print(opts.json, stats, () => {
      const rows = Object.entries(stats.by).flatMap(([field, counts]) => Object.entries(counts).map(([value, n]) => [field, value, String(n)]));
      return `${stats.total} hubs\n${formatTable(['BY', 'VALUE', 'HUBS'], rows)}`;
    });
  });
}
