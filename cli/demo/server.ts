import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { addRig, createToken } from '../../server/admin.ts';
import { ApiClient } from '../../server/client/ApiClient.ts';
import { createServer, loadServerConfig, type HubflashServer } from '../../server/index.ts';
import { ordersPlugin } from '../../server/plugins/orders.ts';

export interface DemoServer {
  server: HubflashServer;
  api: ApiClient;
  httpUrl: string;
  mqttUrl: string;
  rigSecret: string;
  /** The config file, to start the same server again after the demo. */
  configFile: string;
  tokenFile: string;
}

export const DEMO_RIG = 'RIG-DEMO-01';

/**
 * The server on embedded defaults (aedes on TCP, LevelDB in the data folder, the orders plugin),
 * with one rig and an admin token provisioned as `hubflash rig add` and `hubflash server token
 * create` would. Its config is written to a file so the same server can be started again after
 * the demo to look around; its log goes to a file so the terminal shows the story.
 */
export async function startDemoServer(o: { dir: string; mqttPort: number; httpPort: number; trustedKeyFile: string }): Promise<DemoServer> {
  const configFile = writeFile(
    o.dir,
    'server.json',
    `${JSON.stringify(
      {
        dataDir: './server',
        mqtt: { host: '127.0.0.1', port: o.mqttPort },
        http: { host: '127.0.0.1', port: o.httpPort },
        trustedManufacturerKeys: [`./${path.basename(o.trustedKeyFile)}`],
        gs1CompanyPrefix: '5099999',
        // Small outgoing cartons and pallets, so 24 hubs make a real hierarchy.
        orders: { csp: { name: 'CSP North', site: 'Warehouse 1' }, asn: { hubsPerCarton: 4, cartonsPerPallet: 3 } },
      },
      null,
      2,
    )}\n`,
  );
  const config = loadServerConfig(configFile);
  const rigSecret = await addRig(config.dataDir, DEMO_RIG, 'demo');
  const { token } = await createToken(config.dataDir, 'demo-operator', 'admin', 'demo');
  const tokenFile = writeFile(o.dir, 'operator-token', `${token}\n`);
  chmodSync(tokenFile, 0o600);
  const server = createServer(config, {
    plugins: [ordersPlugin()],
    logger: pino({ level: 'info' }, pino.destination({ dest: path.join(o.dir, 'server.log'), sync: false })),
  });
  const addresses = await server.start();
  const httpUrl = `http://127.0.0.1:${addresses.http}`;
  return { server, api: new ApiClient({ server: httpUrl, token }), httpUrl, mqttUrl: `mqtt://127.0.0.1:${addresses.mqtt}`, rigSecret, configFile, tokenFile };
}

export function writeFile(dir: string, name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}
