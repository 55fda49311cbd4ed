import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { RigDaemon, resolveAgentConfig } from '../../agent/daemon/index.ts';
import { ProgressBars } from '../../agent/ui/progressBars.ts';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { startDemoFleet } from './fleet.ts';
import { chargesTable, outcomeTable, reconciliationTable, type HubOutcome } from './report.ts';
import { DEMO_RIG, startDemoServer, writeFile } from './server.ts';
import { buildWorld, PARTY, returnOrder, smiSnapshotCsv } from './world.ts';

export interface DemoOptions {
  dataDir: string;
  hubs: number;
  baud: number;
  /** Size of the new firmware's payload. */
  payloadBytes: number;
  mqttPort: number;
  httpPort: number;
  concurrency: number;
  /** No link or flash timing (tests). */
  instant: boolean;
  /** Live progress bars (on a terminal). */
  progress: boolean;
  timeoutMs: number;
  out: (text: string) => void;
}

export interface DemoSummary {
  orderId: string;
  outcomes: HubOutcome[];
  reconciliation: Array<{ kind: string; chfId: string }>;
  asnId: string;
  chargesPence: number;
}

const MARKER = '.hubflash-demo';

/**
 * `hubflash demo`: the whole service on one machine. A server on embedded defaults, an SMI
 * snapshot of returned hubs, a return-for-re-flash order, 24 simulated hubs on pseudo-terminals
 * (some faulty), a rig agent that fetches each hub's job and flashes it, then the results,
 * reconciliation, the ASN for re-delivery and the charges.
 */
export async function runDemo(o: DemoOptions): Promise<DemoSummary> {
  prepareDataDir(o.dataDir);
  const rigDir = path.join(o.dataDir, 'rig');
  const say = (text: string): void => o.out(`${text}\n`);

  const world = buildWorld({ hubs: o.hubs, payloadBytes: o.payloadBytes });
  const keyFile = writeFile(o.dataDir, 'manufacturer.pub', world.key.publicKeyPem);
  const demo = await startDemoServer({ dir: o.dataDir, mqttPort: o.mqttPort, httpPort: o.httpPort, trustedKeyFile: keyFile });
  const stops: Array<() => Promise<void>> = [() => demo.server.stop()];
  try {
    say(`1. Server up: MQTT ${demo.mqttUrl}, HTTP ${demo.httpUrl}/api/v1 (OpenAPI at /api/v1/openapi.json), LevelDB in ${demo.server.config.dataDir}`);

    const snapshot = writeFile(o.dataDir, 'smi-snapshot.csv', smiSnapshotCsv(world));
    const imported = await demo.api.upload<{ created: number; invalid: number }>('/devices/import', snapshot, 'text/csv', { source: 'smi-snapshot.csv' });
    for (const fw of world.firmware) {
      const file = writeFile(o.dataDir, `${fw.model.name}-${fw.version}.ota`, fw.bytes);
      await demo.api.upload('/firmware', file, 'application/octet-stream', { approve: 'true', installationEndDate: '2028-03-31' });
    }
    say(`2. Inventory: ${imported.created} hubs from the SMI snapshot (${imported.invalid} invalid rows); ${world.firmware.length} signed images in the catalogue, approved`);

    const taken = await demo.api.post<{ order: { orderId: string; hubs: number }; ineligible: Array<{ chfId: string; reason: { code: string; message: string } }>; rejected: Array<{ chfId: string; error: { code: string } }> }>(
      '/orders',
      {},
      returnOrder(world, `RET-${Date.now().toString(36).toUpperCase()}`),
    );
    const orderId = taken.order.orderId;
    await demo.api.post(`/orders/${orderId}/receive`, {}, {});
    say(`3. Return-for-re-flash order ${orderId} from ${PARTY.name}: ${taken.order.hubs} hubs on 2 pallets, received at the CSP`);
    for (const i of taken.ineligible) say(`   ineligible: ${i.chfId} ${i.reason.code} ${i.reason.message}`);
    for (const r of taken.rejected) say(`   not taken: ${r.chfId} ${r.error.code}`);

    const fleet = await startDemoFleet(world, { baud: o.baud, instant: o.instant });
    stops.unshift(() => fleet.stop());
    say(`4. ${fleet.hubs.length} simulated hubs on pseudo-terminals at ${o.instant ? 'unlimited' : o.baud} baud (${fleet.hubs[0]?.pty.path} …)`);

    const config = resolveAgentConfig(
      {
        rigId: DEMO_RIG,
        secret: demo.rigSecret,
        serverUrl: demo.mqttUrl,
        httpUrl: demo.httpUrl,
        ports: fleet.hubs.map((h) => h.pty.path),
        baudRate: o.baud,
        concurrency: o.concurrency,
        dataDir: rigDir,
        trustedKeys: [keyFile],
        heartbeatMs: 2000,
        rescanMs: 500,
      },
      o.dataDir,
    );
    mkdirSync(rigDir, { recursive: true });
    const daemon = await RigDaemon.start(config, { logger: pino({ level: 'info' }, pino.destination({ dest: path.join(o.dataDir, 'rig.log'), sync: false })), downloadRetryMs: 500 });
    stops.unshift(() => daemon.stop());
    say(`5. Rig agent ${DEMO_RIG} flashing, ${o.concurrency} at a time (log: ${path.join(o.dataDir, 'rig.log')})`);

    const outcomes = await collectOutcomes(daemon, world.hubs.map((h) => h.identity.chfId), o);
    say('\n6. Outcome for each hub');
    o.out(outcomeTable(world, outcomes));

    // Ship first: the verified hubs go on an ASN, the User confirms delivery (which writes the
    // charges); what reconciliation still lists afterwards are the real exceptions.
    const issued = await demo.api.post<{ asn: { asnId: string; totals: { pallets: number; cartons: number; hubs: number } } }>(`/orders/${orderId}/asns`, {});
    const asn = issued.asn;
    const delivered = await demo.api.post<{ charges: unknown[] }>(`/asns/${asn.asnId}/delivery`, {}, {});
    const charges = await demo.api.get<Parameters<typeof chargesTable>[0]>('/charges', { party: PARTY.id });
    const recon = await demo.api.get<{ items: Array<{ kind: string; chfId: string; detail: string; action: string }> }>('/reconciliation', { limit: 100 });
    say('\nReconciliation exceptions (what the rig saw against the inventory)');
    o.out(reconciliationTable(recon.items));
    say(`\nCharges to ${PARTY.name} (written when the User confirmed delivery of ${asn.asnId}: ${delivered.charges.length} lines)`);
    o.out(chargesTable(charges));

    const files = await saveAsnExports(demo.api, asn.asnId, path.join(o.dataDir, 'asn'));
    say(`\nASN ${asn.asnId} for re-delivery: ${asn.totals.hubs} verified hubs on ${asn.totals.pallets} pallets, ${asn.totals.cartons} cartons, each with a new SSCC`);
    say(`  saved: ${files.join(', ')}`);
    say(`  from the API: ${demo.httpUrl}/api/v1/asns/${asn.asnId}.csv and .856 (JSON without a suffix)`);
    say(`  to look around later: hubflash server start --config ${demo.configFile}`);
    say(`  then e.g.: hubflash asn export ${asn.asnId} --format 856 --token "$(cat ${demo.tokenFile})"`);

    return {
      orderId,
      outcomes: [...outcomes.values()],
      reconciliation: recon.items.map((i) => ({ kind: i.kind, chfId: i.chfId })),
      asnId: asn.asnId,
      chargesPence: charges.totals.pence,
    };
  } finally {
    for (const stop of stops) await stop().catch(() => {});
  }
}

/** Writes the ASN's JSON, CSV and X12 856 exports beside the demo's data. */
async function saveAsnExports(api: DemoServerApi, asnId: string, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const suffix of ['', '.csv', '.856']) {
    const res = await api.fetchRaw(`/asns/${asnId}${suffix}`);
    const file = path.join(dir, `${asnId}${suffix || '.json'}`);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    files.push(file);
  }
  return files;
}

type DemoServerApi = Awaited<ReturnType<typeof startDemoServer>>['api'];

/** Waits until every hub has a final outcome and the server has acknowledged every result. */
async function collectOutcomes(daemon: RigDaemon, chfIds: string[], o: DemoOptions): Promise<Map<string, HubOutcome>> {
  const outcomes = new Map<string, HubOutcome>();
  const bars = o.progress ? new ProgressBars() : undefined;
  if (bars) daemon.on('progress', (p) => bars.update(p));
  daemon.on('result', (r) => {
    bars?.finish(r);
    const seconds = (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000;
    outcomes.set(r.hub?.chfId ?? r.port, {
      chfId: r.hub?.chfId ?? '?',
      port: r.port,
      outcome: r.outcome,
      ...(r.from ? { from: r.from.version } : {}),
      to: r.to.version,
      resumes: r.resumes,
      bytesResent: r.bytesResent,
      seconds,
      ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}),
    });
  });
  daemon.on('refused', (r) => outcomes.set(r.chfId, { chfId: r.chfId, port: r.port, outcome: 'refused by server', from: r.runningVersion, resumes: 0, bytesResent: 0, error: r.error }));
  const deadline = Date.now() + o.timeoutMs;
  try {
    while (!chfIds.every((id) => outcomes.has(id)) || daemon.pendingResults > 0) {
      if (Date.now() > deadline) {
        const missing = chfIds.filter((id) => !outcomes.has(id));
        throw new HubflashError(ErrorCode.DemoIncomplete, `the demo did not finish in ${o.timeoutMs / 1000} s: ${missing.length} hubs without an outcome, ${daemon.pendingResults} results unacknowledged`, { missing });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    bars?.stop();
  }
  return outcomes;
}

/** The demo starts from nothing each run, but never wipes a folder it did not make itself. */
function prepareDataDir(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(path.join(dir, MARKER))) {
      throw new HubflashError(ErrorCode.DemoDataDirInUse, `${dir} holds data the demo did not make: give the demo another folder with --data-dir`, { dir });
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, MARKER), 'made by hubflash demo; the next demo run replaces this folder\n');
}
