/** `hubflash smi-changes`: the SMI update export, every hub whose firmware changed since a time. */
import type { Command } from 'commander';
import type { SmiChange } from '../../server/domain/reports/smiChanges.ts';
import { apiClient, formatTable, print, withApiFlags, type ApiOptions } from '../../server/client/options.ts';

const short = (hash: string | undefined): string => (hash ? `${hash.slice(0, 12)}…` : '-');

export function register(program: Command): void {
  withApiFlags(program.command('smi-changes').description('Every hub whose firmware changed: before and after version and hash, the rig and the time'))
    .requiredOption('--since <time>', 'YYYY-MM-DD or an ISO 8601 time')
    .option('--until <time>', 'before this time')
    .option('--csv', 'print CSV (full hashes)')
    .action(async (opts: ApiOptions & { json?: boolean; since: string; until?: string; csv?: boolean }) => {
      const api = apiClient(opts);
      if (opts.csv) {
        const search = new URLSearchParams({ since: opts.since, ...(opts.until ? { until: opts.until } : {}), format: 'csv' });
        process.stdout.write(await (await api.fetchRaw(`/smi-changes?${search.toString()}`)).text());
        return;
      }
      const { items } = await api.get<{ items: SmiChange[] }>('/smi-changes', { since: opts.since, until: opts.until });
      print(opts.json, items, () =>
        formatTable(['CHF ID', 'BEFORE', 'BEFORE HASH', 'AFTER', 'AFTER HASH', 'RIG', 'AT'], items.map((c) => [c.chfId, c.before.version, short(c.before.hash), c.after.version, short(c.after.hash), c.rigId, c.at])),
      );
    });
}
