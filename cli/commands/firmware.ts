/**
 * `hubflash firmware …`: the firmware catalogue, through the API.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import type { FirmwareEntry } from '../../server/domain/catalogue/Catalogue.ts';
import { apiClient, formatTable, print, withApiFlags, type ApiOptions } from '../../server/client/options.ts';

type ReadOptions = ApiOptions & { json?: boolean };

const row = (f: FirmwareEntry): string[] => [f.sha256.slice(0, 16), f.fileVersion, `0x${f.manufacturerCode.toString(16).toUpperCase().padStart(4, '0')}`, f.installationEndDate ?? '-', f.approved ? 'yes' : 'no', (f.upgradeableFrom ?? []).join(' ') || '-'];
const HEADERS = ['SHA-256', 'VERSION', 'MANUFACTURER', 'INSTALL BY', 'APPROVED', 'UPGRADEABLE FROM'];

export function register(program: Command): void {
  const firmware = program.command('firmware').description('The firmware catalogue: manufacturer images the rigs may use');

  withApiFlags(firmware.command('add <file>').description('Uploads a manufacturer image; the server verifies it against its trusted manufacturer keys'))
    .option('--installation-end <date>', 'the TSAT installation end date for this firmware, YYYY-MM-DD')
    .option('--approve', 'approve it for use at once (admin)')
    .action(async (file: string, opts: ReadOptions & { installationEnd?: string; approve?: boolean }) => {
      const entry = await apiClient(opts).upload<FirmwareEntry>('/firmware', file, 'application/octet-stream', {
        installationEndDate: opts.installationEnd,
        approve: opts.approve ? 'true' : undefined,
      });
      print(opts.json, entry, () => formatTable(HEADERS, [row(entry)]) + `sha256 ${entry.sha256}\n`);
    });

  withApiFlags(firmware.command('list').description('Every catalogued image')).action(async (opts: ReadOptions) => {
    const { items } = await apiClient(opts).get<{ items: FirmwareEntry[] }>('/firmware');
    print(opts.json, items, () => formatTable(HEADERS, items.map(row)));
  });

  withApiFlags(firmware.command('show <sha256>').description('One image')).action(async (sha: string, opts: ReadOptions) => {
    const entry = await apiClient(opts).get<FirmwareEntry>(`/firmware/${sha}`);
    print(opts.json, entry, () => formatTable(['FIELD', 'VALUE'], Object.entries(entry).map(([k, v]) => [k, Array.isArray(v) ? v.join(' ') : String(v)])));
  });

  for (const [name, what] of [['approve', 'Approves an image for use (admin)'], ['withdraw', 'Withdraws approval (admin)']] as const) {
    withApiFlags(firmware.command(`${name} <sha256>`).description(what)).action(async (sha: string, opts: ReadOptions) => {
      const entry = await apiClient(opts).post<FirmwareEntry>(`/firmware/${sha}/${name}`);
      print(opts.json, entry, () => `${entry.sha256} approved: ${entry.approved ? 'yes' : 'no'}\n`);
    });
  }

  withApiFlags(firmware.command('download <sha256>').description('Downloads an image, resuming a partial file; checks its SHA-256'), false)
    .requiredOption('-o, --out <file>', 'where to write it')
    .action(async (sha: string, opts: ApiOptions & { out: string }) => {
      const have = existsSync(opts.out) ? statSync(opts.out).size : 0;
      const res = await apiClient(opts).fetchRaw(`/firmware/${sha}/image`, have > 0 ? { range: `bytes=${have}-`, 'if-range': `"${sha}"` } : {});
      const append = res.status === 206;
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(opts.out, { flags: append ? 'a' : 'w' }));
      const got = createHash('sha256').update(readFileSync(opts.out)).digest('hex');
      if (got !== sha.toLowerCase()) throw new HubflashError(ErrorCode.InvalidFirmwareHash, `The downloaded file's SHA-256 is ${got}, not ${sha}: delete ${opts.out} and download again`, { got });
      process.stdout.write(`${opts.out}: ${statSync(opts.out).size} bytes, SHA-256 verified${append ? ` (resumed at byte ${have})` : ''}\n`);
    });
}
