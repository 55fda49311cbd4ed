/** `hubflash reconcile`: every disagreement between rigs, inventory, orders and ASNs, with what to do. */
import type { Command } from 'commander';
import type { ReconciliationReport } from '../../server/domain/reconciliation/model.ts';
import { apiClient, print, withApiFlags, type ApiOptions } from '../../server/client/options.ts';

function reportText(r: ReconciliationReport): string {
  const total = Object.values(r.counts).reduce((a, b) => a + b, 0);
  const lines = [`${r.hubsChecked} hubs and ${r.readingsChecked} rig readings checked in ${(r.elapsedMs / 1000).toFixed(1)} s: ${total === 0 ? 'no disagreements' : `${total} disagreements`}`];
  const kinds = [...new Set(r.items.map((i) => i.kind))];
  for (const kind of kinds) {
    const items = r.items.filter((i) => i.kind === kind);
    lines.push('', `${kind} (${r.counts[kind]}): ${items[0]!.action}`);
    for (const i of items) lines.push(`  ${i.chfId}  ${i.detail}`);
  }
  if (r.truncated) lines.push('', `(listing stopped at ${r.items.length}; raise --limit or filter with --kind)`);
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  withApiFlags(program.command('reconcile').description('Lists every disagreement between what rigs read, the inventory, live orders and live ASNs, with what to do next'))
    .option('--limit <n>', 'most items listed (all are counted)', '1000')
    .option('--kind <kind>', 'only this kind (e.g. firmware-mismatch)')
    .action(async (opts: ApiOptions & { json?: boolean; limit: string; kind?: string }) => {
      const r = await apiClient(opts).get<ReconciliationReport>('/reconciliation', { limit: opts.limit, kind: opts.kind });
      print(opts.json, r, () => reportText(r));
    });
}
