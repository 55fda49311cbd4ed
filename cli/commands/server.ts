/**
 * `hubflash server …`: run the central server, and manage API tokens on its data dir.
 */
import type { Command } from 'commander';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { createToken, listTokens, provisionToken, revokeToken } from '../../server/admin.ts';
import { dataDirOf, formatTable, print, withDataDirFlags, type DataDirOptions } from '../../server/client/options.ts';
import { createServer, loadServerConfig, ROLES, type Role } from '../../server/index.ts';
import { ordersPlugin } from '../../server/plugins/orders.ts';

export function register(program: Command): void {
  const server = program.command('server').description('The central server: MQTT broker for rigs, HTTP API for operators');

  server
    .command('start')
    .description('Runs the server until SIGINT/SIGTERM (embedded defaults: ./data, MQTT 1883, HTTP 8080)')
    .option('--config <file>', 'JSON config file')
    .option('--data-dir <dir>', 'override the data dir')
    .option('--http-port <port>', 'override the HTTP port')
    .option('--mqtt-port <port>', 'override the MQTT port')
    .action(async (opts: { config?: string; dataDir?: string; httpPort?: string; mqttPort?: string }) => {
      const config = loadServerConfig(opts.config);
      if (opts.dataDir) config.dataDir = dataDirOf({ dataDir: opts.dataDir });
      if (opts.httpPort) config.http.port = Number(opts.httpPort);
      if (opts.mqttPort) config.mqtt.port = Number(opts.mqttPort);
      const running = createServer(config, { plugins: [ordersPlugin()] });
      const addresses = await running.start();
      process.stderr.write(`hubflash server: HTTP ${addresses.http}, MQTT ${addresses.mqtt}${addresses.mqtts ? `, MQTTS ${addresses.mqtts}` : ''}${addresses.ws ? `, MQTT/WS ${addresses.ws}` : ''}; data in ${config.dataDir}\n`);
      const signal = await new Promise<string>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      process.stderr.write(`hubflash server: ${signal}, stopping (results in flight are stored first)\n`);
      await running.stop();
      process.stderr.write('hubflash server: stopped\n');
    });

  const token = server.command('token').description('API tokens (bearer, with a role) on the data dir; shown once, stored as scrypt hashes');
  withDataDirFlags(token.command('create').description('Creates a token and prints it, once'))
    .requiredOption('--name <name>', 'whose token (a person or a tool)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .action(async (opts: DataDirOptions & { name: string; role: string }) => {
      if (!(ROLES as readonly string[]).includes(opts.role)) throw new HubflashError(ErrorCode.InvalidRequest, `--role must be one of ${ROLES.join(', ')}`);
      const { token: secret, id } = await createToken(dataDirOf(opts), opts.name, opts.role as Role);
      process.stdout.write(`Token ${id} for ${opts.name} (${opts.role}):\n\n  ${secret}\n\nThis is the only time it is shown. Use it as HUBFLASH_TOKEN or "Authorization: Bearer …".\n`);
    });
  token
    .command('hash')
    .description("Makes a token for the config's tokens list: prints the token once and the entry (hash only) to paste in the config")
    .requiredOption('--name <name>', 'whose token')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .action(async (opts: { name: string; role: string }) => {
      if (!(ROLES as readonly string[]).includes(opts.role)) throw new HubflashError(ErrorCode.InvalidRequest, `--role must be one of ${ROLES.join(', ')}`);
      const { token: secret, entry } = await provisionToken(opts.name, opts.role as Role);
      process.stdout.write(`Token (shown once):\n\n  ${secret}\n\nConfig entry for "tokens":\n\n${JSON.stringify(entry, null, 2)}\n`);
    });
  withDataDirFlags(token.command('list').description('Token IDs, names and roles (never the tokens)'))
    .option('--json', 'print JSON')
    .action((opts: DataDirOptions & { json?: boolean }) => {
      const tokens = listTokens(dataDirOf(opts));
      print(opts.json, tokens, () => formatTable(['ID', 'NAME', 'ROLE', 'CREATED'], tokens.map((t) => [t.id, t.name, t.role, t.createdAt ?? 'config'])));
    });
  withDataDirFlags(token.command('revoke <id>').description('Revokes a token at once')).action(async (id: string, opts: DataDirOptions) => {
    await revokeToken(dataDirOf(opts), id);
    process.stdout.write(`Token ${id} revoked.\n`);
  });
}
