/** `hubflash custody ID`: a hub's custody ledger (also in `hubflash devices history ID`). */
import type { Command } from 'commander';
import type { LedgerLine } from '../../server/domain/custody/ledger.ts';
import { apiClient, formatTable, print, withApiFlags, type ApiOptions } from '../../server/client/options.ts';

export function register(program: Command): void {
  withApiFlags(program.command('custody <chfId>').description("A hub's custody ledger: who held it, where, from when")).action(async (chfId: string, opts: ApiOptions & { json?: boolean }) => {
    const r = await apiClient(opts).get<{ current: string; lines: LedgerLine[] }>(`/devices/${encodeURIComponent(chfId)}/custody`);
    print(opts.json, r, () => {
      const rows = r.lines.map((l) => [l.at, l.from ?? '-', l.to, l.place ?? '-', l.by, [l.orderId, l.asnId, l.rigId].filter(Boolean).join(' ')]);
      return `${formatTable(['AT', 'FROM', 'TO', 'PLACE', 'BY', 'ORDER/ASN/RIG'], rows)}Now: ${r.current}\n`;
    });
  });
}
