import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseImage, verifyImageSignature } from '../../../protocol/image/index.ts';
import { samplePath } from './helpers.ts';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/hubflash.js');
const dir = mkdtempSync(path.join(tmpdir(), 'hubflash-image-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function hubflash(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(bin, args, { cwd: dir, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** One typed failure: exit 1, the code in stderr, no stack trace. */
function expectFailure(run: Run, code: string): void {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).toContain(`(${code})`);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('hubflash image (command line)', () => {
  it('keygen → build → inspect --json → verify, and each failure as a typed error', async () => {
    const keygen = await hubflash('image', 'keygen', '--out', 'maker');
    expect(keygen.code, keygen.stderr).toBe(0);
    const keyId = /Key ID: ([0-9a-f]{16})/.exec(keygen.stdout)?.[1];
    expect(keyId).toBeDefined();
    expect(statSync(path.join(dir, 'maker.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dir, 'maker.pub'), 'utf8')).toMatch(/BEGIN PUBLIC KEY/);
    expectFailure(await hubflash('image', 'keygen', '--out', 'maker'), 'HF0210');

    writeFileSync(path.join(dir, 'fw.bin'), Buffer.alloc(500, 0x5a));
    const build = await hubflash(
      'image', 'build', '--manufacturer', '0x121D', '--image-type', '0x0000', '--version', '1.38.3',
      '--hw-min', '0x1111', '--hw-max', '0x1211', '--upgradeable-from', '1.37.0,01250100', '--key', 'maker.key', 'fw.bin',
    );
    expect(build.code, build.stderr).toBe(0);
    const built = readFileSync(path.join(dir, 'fw.bin.ota'));
    const image = parseImage(built);
    expect(build.stdout).toContain(image.sha256);
    expect(build.stdout).toContain(`${built.length} bytes`);
    expect(verifyImageSignature(image, readFileSync(path.join(dir, 'maker.pub'), 'utf8'))).toBe(keyId);

    const inspect = await hubflash('image', 'inspect', 'fw.bin.ota', '--json');
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(JSON.parse(inspect.stdout)).toMatchObject({
      sha256: image.sha256,
      manufacturerCode: '0x121D',
      imageType: '0x0000',
      fileVersion: '01260300',
      fileVersionDotted: '1.38.3',
      hardwareVersions: { min: '0x1111', max: '0x1211' },
      upgradeableFrom: ['01250000', '01250100'],
      signerKeyId: keyId,
      payloadSize: 500,
    });

    const verify = await hubflash('image', 'verify', 'fw.bin.ota', '--pubkey', 'maker.pub');
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain(`OK: signature valid, signed by key ID ${keyId}`);

    expect((await hubflash('image', 'keygen', '--out', 'other')).code).toBe(0);
    writeFileSync(path.join(dir, 'cut.ota'), built.subarray(0, built.length - 10));
    const tampered = Buffer.from(built);
    tampered[100]! ^= 1;
    writeFileSync(path.join(dir, 'tampered.ota'), tampered);

    // Independent failures, run side by side to keep the suite quick.
    const failures: Array<[string[], string]> = [
      [['verify', 'fw.bin.ota', '--pubkey', 'other.pub'], 'HF0205'],
      [['verify', 'cut.ota', '--pubkey', 'maker.pub'], 'HF0200'],
      [['inspect', 'cut.ota'], 'HF0200'],
      [['verify', 'tampered.ota', '--pubkey', 'maker.pub'], 'HF0204'],
      [['verify', samplePath, '--pubkey', 'maker.pub'], 'HF0204'],
      [['inspect', 'fw.bin'], 'HF0202'],
      [['inspect', 'missing.ota'], 'HF0209'],
      [['verify', 'fw.bin.ota', '--pubkey', 'fw.bin'], 'HF0206'],
      [['build', '--manufacturer', '0x1FFFF', '--image-type', '0', '--version', '1.0.0', '--key', 'maker.key', 'fw.bin'], 'HF0208'],
      [['build', '--manufacturer', '1', '--image-type', '0', '--version', '1.0', '--key', 'maker.key', 'fw.bin'], 'HF0402'],
    ];
    const runs = await Promise.all(failures.map(([args]) => hubflash('image', ...args)));
    runs.forEach((run, i) => expectFailure(run, failures[i]![1]));
  });

  it('inspects the real sample as a table', async () => {
    const run = await hubflash('image', 'inspect', samplePath);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Manufacturer code\s+0x121D/);
    expect(run.stdout).toMatch(/File version\s+ACDCACDC/);
    expect(run.stdout).toMatch(/Hardware versions\s+0x1111 to 0x1211/);
    expect(run.stdout).toMatch(/Upgrade image\s+237 bytes, opaque/);
  });

  it('prints both PEMs and the key ID when keygen has no --out', async () => {
    const run = await hubflash('image', 'keygen');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/BEGIN PRIVATE KEY[\s\S]+BEGIN PUBLIC KEY[\s\S]+Key ID: [0-9a-f]{16}/);
  });
});
