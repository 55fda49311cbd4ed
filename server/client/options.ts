import path from 'node:path';
import type { Command } from 'commander';
import { loadServerConfig } from '../config/config.ts';
import { ApiClient } from './ApiClient.ts';

/** Where the CLI finds the server and its data dir: flags first, then environment, then defaults. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

export interface ApiOptions {
  server?: string;
  token?: string;
}

export function apiClient(opts: ApiOptions): ApiClient {
  const server = opts.server ?? process.env.HUBFLASH_SERVER ?? DEFAULT_SERVER_URL;
  const token = opts.token ?? process.env.HUBFLASH_TOKEN;
  return new ApiClient({ server, ...(token ? { token } : {}) });
}

export interface DataDirOptions {
  dataDir?: string;
  config?: string;
}

/** The data dir: --data-dir, else the one in --config's file, else HUBFLASH_DATA_DIR, else ./data. */
export function dataDirOf(opts: DataDirOptions): string {
  if (opts.dataDir) return path.resolve(opts.dataDir);
  if (opts.config) return loadServerConfig(opts.config).dataDir;
  return path.resolve(process.env.HUBFLASH_DATA_DIR ?? './data');
}

/** A plain text table, columns padded to their widest cell. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** Flags of commands that work on the data dir. */
export function withDataDirFlags(c: Command): Command {
  return c.option('--data-dir <dir>', 'the server data dir (default: $HUBFLASH_DATA_DIR or ./data)').option('--config <file>', 'take the data dir from this server config');
}

/** Flags of commands that call the API; read commands also print JSON with --json. */
export function withApiFlags(c: Command, read = true): Command {
  c.option('--server <url>', `server URL (default: $HUBFLASH_SERVER or ${DEFAULT_SERVER_URL})`).option('--token <token>', 'API token (default: $HUBFLASH_TOKEN)');
  return read ? c.option('--json', 'print JSON') : c;
}

/** Writes JSON or text to stdout. */
export function print(json: boolean | undefined, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : text());
}
