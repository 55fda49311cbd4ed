/**
 * `hubflash charges` (the charge lines of fulfilled return-for-re-flash orders) and
 * `hubflash tariff …` (the tariff per Regulatory Year), through the API.
 */
import type { Command } from 'commander';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { HAN_VARIANTS } from '../../protocol/mqtt/index.ts';
import type { ChargeReport } from '../../server/domain/charges/chargeBook.ts';
import { formatPence, SERVICE_LINES, type TariffEntry } from '../../server/domain/charges/tariff.ts';
import { apiClient, formatTable, print, withApiFlags, type ApiOptions } from '../../server/client/options.ts';

type ReadOptions = ApiOptions & { json?: boolean };
type Tariff = { regulatoryYear: string; entries: TariffEntry[] };

function tariffText(t: Tariff): string {
  const rows = t.entries.map((e) => [e.serviceLine, e.hanVariant, formatPence(e.pence), e.source, e.placeholder ? 'PLACEHOLDER: no published figure, set one' : '']);
  return `Regulatory Year ${t.regulatoryYear}\n${formatTable(['SERVICE LINE', 'HAN VARIANT', 'CHARGE', 'FROM', 'NOTE'], rows)}`;
}

export function register(program: Command): void {
  withApiFlags(program.command('charges').description('Charge lines of fulfilled return-for-re-flash orders, with totals'))
    .option('--party <id>', 'only this party')
    .option('--from <date>', 'from this UK date (YYYY-MM-DD), inclusive')
    .option('--to <date>', 'to this UK date (YYYY-MM-DD), inclusive')
    .option('--csv', 'print CSV')
    .action(async (opts: ReadOptions & { party?: string; from?: string; to?: string; csv?: boolean }) => {
      const query = { party: opts.party, from: opts.from, to: opts.to };
      const api = apiClient(opts);
      if (opts.csv) {
        const search = new URLSearchParams(Object.entries({ ...query, format: 'csv' }).filter((e): e is [string, string] => e[1] !== undefined));
        process.stdout.write(await (await api.fetchRaw(`/charges?${search.toString()}`)).text());
        return;
      }
      const r = await api.get<ChargeReport>('/charges', query);
      print(opts.json, r, () => {
        const rows = r.lines.map((l) => [l.partyId, l.orderId, l.asnId, l.chfId, l.hanVariant, l.serviceLine, l.regulatoryYear, l.date, formatPence(l.pence)]);
        const totals = `${r.totals.hubs} hubs, ${formatPence(r.totals.pence)}${Object.entries(r.totals.byRegulatoryYear).map(([y, p]) => `; ${y}: ${formatPence(p)}`).join('')}\n`;
        const warning = r.placeholderUsed ? 'Some lines are priced with the placeholder re-flash figure (no published value): set the tariff with hubflash tariff set.\n' : '';
        return formatTable(['PARTY', 'ORDER', 'ASN', 'CHF ID', 'HAN', 'SERVICE', 'YEAR', 'DATE', 'CHARGE'], rows) + totals + warning;
      });
    });

  const tariff = program.command('tariff').description('The explicit-charge tariff per Regulatory Year (1 April-31 March), in pence');
  withApiFlags(tariff.command('show [year]').description('A Regulatory Year (2026/27; default this one)')).action(async (year: string | undefined, opts: ReadOptions) => {
    const t = await apiClient(opts).get<Tariff>(year ? `/tariffs/${encodeURIComponent(year.replace('/', '-'))}` : '/tariffs/current');
    print(opts.json, t, () => tariffText(t));
  });
  withApiFlags(tariff.command('set <year>').description('Sets one figure of a Regulatory Year (admin)'))
    .requiredOption('--service <line>', SERVICE_LINES.join(', '))
    .requiredOption('--han <variant>', HAN_VARIANTS.join(' or '))
    .requiredOption('--pence <n>', 'the charge in pence, a whole number (e.g. 827 for £8.27)')
    .action(async (year: string, opts: ReadOptions & { service: string; han: string; pence: string }) => {
      if (!/^\d+$/.test(opts.pence)) throw new HubflashError(ErrorCode.TariffInvalid, `--pence must be a whole number of pence (827 for £8.27), not ${opts.pence}`);
      const t = await apiClient(opts).post<Tariff>(`/tariffs/${encodeURIComponent(year.replace('/', '-'))}`, {}, { [opts.service]: { [opts.han]: Number(opts.pence) } });
      print(opts.json, t, () => tariffText(t));
    });
}
