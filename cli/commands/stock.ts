/** `hubflash stock`: hubs by firmware, region, HAN variant and holder, with installation end dates. */
import type { Command } from 'commander';
import type { StockReport } from '../../server/domain/reports/stock.ts';
import { apiClient, formatTable, print, withApiFlags, type ApiOptions } from '../../server/client/options.ts';

export function register(program: Command): void {
  withApiFlags(program.command('stock').description('Hubs by firmware version, region, HAN variant and holder, with how many are past or near their installation end date'))
    .option('--csv', 'print CSV')
    .action(async (opts: ApiOptions & { json?: boolean; csv?: boolean }) => {
      const api = apiClient(opts);
      if (opts.csv) {
        process.stdout.write(await (await api.fetchRaw('/stock?format=csv')).text());
        return;
      }
      const r = await api.get<StockReport>('/stock');
      print(opts.json, r, () => {
        const rows = r.rows.map((x) => [x.firmwareVersion, x.region, x.hanVariant, x.holder, String(x.hubs), x.installationEndDate ?? '?', String(x.pastInstallationEnd), String(x.withinWarning)]);
        return (
          formatTable(['FIRMWARE', 'REGION', 'HAN', 'HOLDER', 'HUBS', 'INSTALL BY', 'PAST', `≤${r.warningDays}d`], rows) +
          `${r.total} hubs: ${r.pastInstallationEnd} past their installation end date, ${r.withinWarning} within ${r.warningDays} days of it, ${r.endDateUnknown} with no end date in the catalogue (today ${r.today})\n`
        );
      });
    });
}
