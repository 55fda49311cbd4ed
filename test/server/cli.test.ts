import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { makeImage } from './helpers/images.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { CSV_HEADER, csvLine, hubId, sampleHub } from './helpers/snapshot.ts';
import { tempDir } from './helpers/tempDir.ts';

describe('the hubflash CLI for operators', () => {
  let t: TestServer;
  let api: string[];
  beforeAll(async () => {
    t = await startTestServer();
    api = ['--server', `http://127.0.0.1:${t.addresses.http}`, '--token', t.tokens.admin];
  });
  afterAll(() => t.stop());

  it('adds a rig on the data dir, shows its secret once, and the rig can connect', async () => {
    const run = await runCli(['rig', 'add', 'RIG-CLI', '--data-dir', t.dataDir]);
    expect(run.exitCode).toBe(0);
    const secret = /secret:\n\n {2}(\S+)\n/.exec(run.stdout)?.[1];
    expect(secret).toBeDefined();
    expect(readFileSync(path.join(t.dataDir, 'credentials.json'), 'utf8')).not.toContain(secret);
    const client = await mqtt.connectAsync(t.mqttUrl, { clientId: 'RIG-CLI', username: 'RIG-CLI', password: secret, reconnectPeriod: 0 });
    await client.endAsync();
    const again = await runCli(['rig', 'add', 'RIG-CLI', '--data-dir', t.dataDir]);
    expect([again.exitCode, again.stderr]).toEqual([1, expect.stringContaining('HF0616')]);
    const list = await runCli(['rig', 'list', ...api, '--json']);
    expect(JSON.parse(list.stdout).map((r: { rigId: string }) => r.rigId)).toContain('RIG-CLI');
  });

  it('creates a token with a role that the API accepts', async () => {
    const run = await runCli(['server', 'token', 'create', '--name', 'dash', '--role', 'viewer', '--data-dir', t.dataDir]);
    const token = /\n\n {2}(hft_\S+)\n/.exec(run.stdout)?.[1];
    expect((await t.api('GET', '/api/v1/devices/stats', { token: token! })).status).toBe(200);
    expect((await t.api('POST', '/api/v1/firmware/00/approve', { token: token! })).status).toBe(403);
  });

  it('imports a snapshot file and reads hubs back, with --json on every read', async () => {
    const file = path.join(tempDir(), 'smi.csv');
    const rows = [0, 1, 2, 3].map((i) => csvLine(sampleHub(i)));
    writeFileSync(file, `${CSV_HEADER}\n${rows.join('\n')}\nbroken,row\n`);
    const run = await runCli(['devices', 'import', file, ...api]);
    expect(run.stdout).toContain('5 rows: 4 new, 0 updated, 0 unchanged, 1 invalid');
    expect(run.stdout).toContain('line 6: has 2 fields, the header has 13');
    const get = await runCli(['devices', 'get', hubId(2).toLowerCase(), ...api, '--json']);
    expect(JSON.parse(get.stdout)).toMatchObject({ chfId: hubId(2), region: sampleHub(2).region });
    const list = await runCli(['devices', 'list', '--han', 'DualBand', '--all', ...api, '--json']);
    expect(JSON.parse(list.stdout).items.map((h: { chfId: string }) => h.chfId)).toEqual([hubId(0), hubId(2)]);
    const history = await runCli(['devices', 'history', hubId(0), ...api, '--json']);
    expect(JSON.parse(history.stdout).items[0].by).toContain('file:smi.csv');
    const stats = await runCli(['devices', 'stats', ...api]);
    expect(stats.stdout).toContain('4 hubs');
    const missing = await runCli(['devices', 'get', hubId(77), ...api]);
    expect([missing.exitCode, missing.stderr]).toEqual([1, expect.stringContaining('(HF0606)')]);
  });

  it('adds, approves and downloads firmware, resuming a partial download', async () => {
    const dir = tempDir();
    const image = makeImage(t.manufacturer.privateKeyPem, 0x02020000, 30_000);
    writeFileSync(path.join(dir, 'image.bin'), image.bytes);
    const add = await runCli(['firmware', 'add', path.join(dir, 'image.bin'), '--installation-end', '2031-03-31', '--approve', ...api, '--json']);
    expect(JSON.parse(add.stdout)).toMatchObject({ sha256: image.sha256, approved: true, installationEndDate: '2031-03-31' });
    const list = await runCli(['firmware', 'list', ...api, '--json']);
    expect(JSON.parse(list.stdout).map((f: { sha256: string }) => f.sha256)).toContain(image.sha256);
    const out = path.join(dir, 'download.bin');
    writeFileSync(out, image.bytes.subarray(0, 10_000)); // a download that broke part way
    const download = await runCli(['firmware', 'download', image.sha256, '-o', out, ...api]);
    expect(download.stdout).toContain('SHA-256 verified (resumed at byte 10000)');
    expect(Buffer.compare(readFileSync(out), Buffer.from(image.bytes))).toBe(0);
  });

  it('verifies the audit log, and catches an edited entry', async () => {
    const ok = await runCli(['audit', 'verify', ...api]);
    expect(ok.stdout).toMatch(/^Audit log intact: \d+ entries/);
    const actions = JSON.parse((await runCli(['audit', 'list', '--limit', '1000', ...api, '--json'])).stdout).map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['rig.add', 'token.create', 'devices.import', 'firmware.add']));

    const file = path.join(t.dataDir, 'audit.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"subject":"RIG-02"'));
    lines[at] = lines[at]!.replace('"rig.add"', '"rig.remove"'); // someone rewrites history
    writeFileSync(file, lines.join('\n'));
    const offline = await runCli(['audit', 'verify', '--data-dir', t.dataDir]);
    expect([offline.exitCode, offline.stderr]).toEqual([1, expect.stringContaining(`broken at line ${at + 1} (entry ${at + 1}): its content does not match its hash`)]);
    expect(offline.stderr).toContain('HF0619');
    const online = await runCli(['audit', 'verify', ...api]);
    expect(online.exitCode).toBe(1);
  });

  it('tells an operator who gave no token how to give one; a wrong token is only refused', async () => {
    vi.stubEnv('HUBFLASH_TOKEN', undefined);
    try {
      const server = ['--server', `http://127.0.0.1:${t.addresses.http}`];
      const none = await runCli(['devices', 'stats', ...server]);
      expect([none.exitCode, none.stderr]).toEqual([1, expect.stringMatching(/No token was given: pass --token or set HUBFLASH_TOKEN.*\(HF0603\)\n$/)]);
      const wrong = await runCli(['devices', 'stats', ...server, '--token', 'hft_0123456789ab_wrong']);
      expect([wrong.exitCode, wrong.stderr]).toEqual([1, expect.stringContaining('(HF0603)')]);
      expect(wrong.stderr).not.toContain('No token was given');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('reports an unreachable server with its own code', async () => {
    const run = await runCli(['devices', 'stats', '--server', 'http://127.0.0.1:1', '--token', 'x']);
    expect([run.exitCode, run.stderr]).toEqual([1, expect.stringContaining('HF0621')]);
  });
});
