/**
 * `hubflash audit …`: read the append-only audit log and check its hash chain.
 */
import type { Command } from 'commander';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { verifyAuditLog } from '../../server/admin.ts';
import type { AuditVerification } from '../../server/audit/AuditLog.ts';
import { parseAnchor } from '../../server/audit/head.ts';
import type { AuditEntry } from '../../server/audit/entry.ts';
import { apiClient, dataDirOf, formatTable, print, withApiFlags, type ApiOptions, type DataDirOptions } from '../../server/client/options.ts';

type ReadOptions = ApiOptions & { json?: boolean };

export function register(program: Command): void {
  const audit = program.command('audit').description('The audit log: every change, hash-chained');

  withApiFlags(audit.command('list').description('Entries after a sequence number'))
    .option('--after <seq>', 'show entries after this one', '0')
    .option('--limit <n>', 'at most this many', '100')
    .action(async (opts: ReadOptions & { after: string; limit: string }) => {
      const { items } = await apiClient(opts).get<{ items: AuditEntry[] }>('/audit', { after: opts.after, limit: opts.limit });
      print(opts.json, items, () => formatTable(['SEQ', 'AT', 'ACTOR', 'ACTION', 'SUBJECT'], items.map((e) => [String(e.seq), e.at, e.actor, e.action, e.subject ?? '-'])));
    });

  withApiFlags(audit.command('verify').description('Re-computes the hash chain; fails (exit 1) naming the first edited, removed or inserted entry'))
    .option('--data-dir <dir>', 'check the log in this data dir directly, without the server')
    .option('--config <file>', 'take the data dir from this server config')
    .option('--expect <seq:hash>', 'an entry noted earlier (as this command prints it) that the log must still hold')
    .action(async (opts: ReadOptions & DataDirOptions & { expect?: string }) => {
      const expect = opts.expect === undefined ? undefined : parseAnchor(opts.expect);
      if (opts.expect !== undefined && !expect) {
        throw new HubflashError(ErrorCode.CliOptionInvalid, `--expect takes SEQ:HASH (a sequence number, a colon and a 64-digit hex SHA-256), as 'hubflash audit verify' prints it; got '${opts.expect}'`);
      }
      const result = opts.dataDir || opts.config
        ? await verifyAuditLog(dataDirOf(opts), expect)
        : await apiClient(opts).get<AuditVerification>('/audit/verify', expect ? { expect: `${expect.seq}:${expect.hash}` } : {});
      if (opts.json) print(true, result, () => '');
      if (!result.ok) {
        const bad = result.firstBad!;
        throw new HubflashError(ErrorCode.AuditChainBroken, `The audit log is broken at line ${bad.line}${bad.seq !== undefined ? ` (entry ${bad.seq})` : ''}: ${bad.reason}`, { ...bad });
      }
      if (!opts.json) process.stdout.write(`Audit log intact: ${result.entries} entries, last hash ${result.lastHash}\nKeep this to check later that no entry was cut off the end: --expect ${result.entries}:${result.lastHash}\n`);
    });
}
