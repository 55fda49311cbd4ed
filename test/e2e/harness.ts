import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addRig, createToken } from '../../server/admin.ts';
import { ApiClient } from '../../server/client/ApiClient.ts';
import { FLASH_DEFAULTS, openPtyHub, SimulatedHub, type PtyHub } from '../../simulators/index.ts';
import { buildWorld, returnOrder, smiSnapshotCsv, type DemoWorld } from '../../cli/demo/world.ts';

/**
 * A whole system for end-to-end tests: the real `hubflash server` and `hubflash agent` as child
 * processes (so they can be killed), simulated hubs on pseudo-terminals in this process, and
 * the operator's view through the HTTP API. The world is the demo's (cli/demo/world.ts).
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'hubflash.js');

export interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
  log: string;
  /** Everything it wrote to stderr (its human-readable lines; the JSON logs are on stdout), once its pipes have closed. */
  stderr: Promise<string>;
}

/** A result as the server's API lists it, flattened. */
export interface StoredResult {
  resultId: string;
  rigId: string;
  hub: { chfId: string };
  outcome: string;
  applied: boolean;
  bytesSent: number;
  bytesResent: number;
  resumes: number;
}

export class SystemUnderTest {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'hubflash-e2e-'));
  readonly world: DemoWorld;
  readonly secrets = new Map<string, string>();
  api!: ApiClient;
  orderId = '';
  hubs: Array<{ hub: SimulatedHub; pty: PtyHub; chfId: string }> = [];
  server: Proc | undefined;
  readonly agents = new Map<string, Proc>();
  private ports = { http: 0, mqtt: 0 };

  constructor(o: { hubs: number; payloadBytes: number }) {
    this.world = buildWorld(o);
  }

  /** Config, credentials, server, inventory, firmware, the order received, and the hubs. */
  async setUp(o: { rigs: string[]; baud: number }): Promise<void> {
    this.ports = { http: await freePort(), mqtt: await freePort() };
    writeFileSync(path.join(this.dir, 'manufacturer.pub'), this.world.key.publicKeyPem);
    writeFileSync(
      path.join(this.dir, 'server.json'),
      JSON.stringify({
        dataDir: './server',
        mqtt: { host: '127.0.0.1', port: this.ports.mqtt },
        http: { host: '127.0.0.1', port: this.ports.http },
        trustedManufacturerKeys: ['./manufacturer.pub'],
        orders: { asn: { hubsPerCarton: 4, cartonsPerPallet: 3 } },
      }),
    );
    const serverData = path.join(this.dir, 'server');
    for (const rig of o.rigs) this.secrets.set(rig, await addRig(serverData, rig, 'e2e'));
    const { token } = await createToken(serverData, 'e2e', 'admin', 'e2e');
    this.api = new ApiClient({ server: `http://127.0.0.1:${this.ports.http}`, token });
    await this.startServer();

    const snapshot = path.join(this.dir, 'smi.csv');
    writeFileSync(snapshot, smiSnapshotCsv(this.world));
    await this.api.upload('/devices/import', snapshot, 'text/csv');
    for (const fw of this.world.firmware) {
      const file = path.join(this.dir, `${fw.model.name}-${fw.version}.ota`);
      writeFileSync(file, fw.bytes);
      await this.api.upload('/firmware', file, 'application/octet-stream', { approve: 'true', installationEndDate: '2030-03-31' });
    }
    const taken = await this.api.post<{ order: { orderId: string } }>('/orders', {}, returnOrder(this.world, `E2E-${path.basename(this.dir)}`));
    this.orderId = taken.order.orderId;
    await this.api.post(`/orders/${this.orderId}/receive`, {}, {});

    for (const demo of this.world.hubs) {
      const hub = new SimulatedHub({
        identity: demo.identity,
        trustedKeys: [this.world.key.publicKeyPem],
        factoryImage: demo.factory.bytes,
        faults: demo.faults,
        flash: FLASH_DEFAULTS,
        rebootMs: 300,
        seed: 77 + demo.index,
      });
      this.hubs.push({ hub, pty: await openPtyHub(hub, { baud: o.baud, latencyMs: 2 }), chfId: demo.identity.chfId });
    }
  }

  async startServer(): Promise<void> {
    this.server = this.spawn('server', ['server', 'start', '--config', path.join(this.dir, 'server.json')]);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${this.ports.http}/api/v1/health`).then((r) => r.ok).catch(() => false)) || undefined, 'the server to listen', 30_000);
  }

  /** Stops the server with `signal`; its exit code and what it wrote to stderr. */
  async stopServer(signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
    const s = this.server;
    this.server = undefined;
    s?.child.kill(signal);
    const code = (await s?.exited) ?? null;
    return { code, stderr: (await s?.stderr) ?? '' };
  }

  /** Starts (or restarts, on the same data folder) a rig agent on some of the hubs' ports. */
  startAgent(rigId: string, ports = this.hubs.map((h) => h.pty.path)): Proc {
    const config = path.join(this.dir, `${rigId}.json`);
    writeFileSync(
      config,
      JSON.stringify({
        rigId,
        secret: this.secrets.get(rigId),
        serverUrl: `mqtt://127.0.0.1:${this.ports.mqtt}`,
        httpUrl: `http://127.0.0.1:${this.ports.http}`,
        ports,
        concurrency: 8,
        dataDir: `./${rigId}-data`,
        trustedKeys: ['./manufacturer.pub'],
        heartbeatMs: 500,
        resendMs: 2000,
        rescanMs: 200,
        logLevel: 'info',
      }),
    );
    const proc = this.spawn(rigId, ['agent', '--config', config]);
    this.agents.set(rigId, proc);
    return proc;
  }

  async stopAgent(rigId: string, signal: NodeJS.Signals): Promise<void> {
    const a = this.agents.get(rigId);
    this.agents.delete(rigId);
    a?.child.kill(signal);
    await a?.exited;
  }

  /** The lines of the order, by state. */
  async progress(): Promise<Record<string, number>> {
    return (await this.api.get<{ progress: Record<string, number> }>(`/orders/${this.orderId}`)).progress;
  }

  /** Waits until no line of the order is waiting for a rig. */
  async orderSettled(timeoutMs: number): Promise<Record<string, number>> {
    return waitFor(
      async () => {
        const p = await this.progress().catch(() => undefined);
        if (!p) return undefined;
        const open = (p.expected ?? 0) + (p.received ?? 0) + (p['on-rig'] ?? 0);
        return open === 0 ? p : undefined;
      },
      'every hub of the order to have a final state',
      timeoutMs,
    );
  }

  async results(): Promise<StoredResult[]> {
    const out: StoredResult[] = [];
    let cursor: string | undefined;
    do {
      const page: {
        items: Array<{ rigId: string; applied: boolean; result: { resultId: string; outcome: string; hub: { chfId: string }; bytesSent: number; bytesResent: number; resumes: number } }>;
        nextCursor?: string;
      } = await this.api.get('/results', {
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      out.push(...page.items.map((i) => ({ resultId: i.result.resultId, rigId: i.rigId, hub: i.result.hub, outcome: i.result.outcome, applied: i.applied, bytesSent: i.result.bytesSent, bytesResent: i.result.bytesResent, resumes: i.result.resumes })));
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  /** Result IDs the agent logged as finished (its log survives a SIGKILL up to the kill). */
  agentResultIds(rigId: string): string[] {
    const file = path.join(this.dir, `${rigId}.log`);
    return readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line) => {
        try {
          const entry = JSON.parse(line) as { msg?: string; resultId?: string };
          return entry.msg === 'hub finished' && entry.resultId ? [entry.resultId] : [];
        } catch {
          return [];
        }
      });
  }

  /** Stops everything; the folder (logs, data) is removed unless `keep`. */
  async tearDown(o: { keep?: boolean } = {}): Promise<void> {
    for (const rig of [...this.agents.keys()]) await this.stopAgent(rig, 'SIGKILL');
    await this.stopServer('SIGKILL');
    for (const h of this.hubs) {
      await h.pty.close();
      h.hub.close();
    }
    if (!o.keep) rmSync(this.dir, { recursive: true, force: true });
  }

  private spawn(name: string, args: string[]): Proc {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = path.join(this.dir, `${name}.log`);
    const out = createWriteStream(log, { flags: 'a' });
    child.stdout!.pipe(out, { end: false });
    child.stderr!.pipe(out, { end: false });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const stderr = new Promise<string>((resolve) => child.once('close', () => resolve(text)));
    return { child, exited, log, stderr };
  }
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
