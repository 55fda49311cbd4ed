import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { provisionToken } from '../../../server/admin.ts';
import { CredentialStore } from '../../../server/datadir/CredentialStore.ts';
import { hashSecret, verifySecret } from '../../../server/datadir/secrets.ts';
import { tempDir } from '../helpers/tempDir.ts';

const store = (provisioned: ConstructorParameters<typeof CredentialStore>[1] = []) => CredentialStore.inDataDir(tempDir(), provisioned);

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  return (err as { codeName?: string } | undefined)?.codeName;
}

describe('the credential store', () => {
  it('keeps only scrypt hashes of long random secrets, in a file only its owner can read, with the description given', async () => {
    const s = store();
    const secret = await s.addRig('RIG-01', 'bench 3');
    const { token, id } = await s.createToken('ada', 'admin');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(token).toMatch(new RegExp(`^hft_${id}_[A-Za-z0-9_-]{43}$`));
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    const text = readFileSync(s.file, 'utf8');
    expect(text).not.toContain(secret);
    expect(text).not.toContain(token.slice(-43));
    const file = JSON.parse(text);
    expect(file.rigs['RIG-01']).toEqual({ hash: expect.stringMatching(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/), createdAt: expect.any(String), description: 'bench 3' });
    expect(file.tokens[id]).toMatchObject({ name: 'ada', role: 'admin', hash: expect.stringMatching(/^scrypt\$16384\$8\$1\$/) });
    expect(statSync(s.file).mode & 0o777).toBe(0o600);
  });

  it('salts every hash, and refuses malformed stored hashes rather than failing', async () => {
    const [a, b] = [await hashSecret('same'), await hashSecret('same')];
    expect(a).not.toBe(b);
    expect([await verifySecret('same', a), await verifySecret('same', b), await verifySecret('other', a)]).toEqual([true, true, false]);
    const [, n, r, p, salt, key] = a.split('$');
    const shortKey = Buffer.from(key!, 'base64').subarray(0, 16).toString('base64');
    for (const bad of ['garbage', `scrypt$${n}$${r}$${p}$${salt}$${shortKey}`, `scrypt$0$${r}$${p}$${salt}$${key}`, `scrypt$${n}$${r}$1.5$${salt}$${key}`, `bcrypt$${n}$${r}$${p}$${salt}$${key}`]) {
      expect(await verifySecret('same', bad), bad).toBe(false);
    }
  });

  it('refuses a bad rig ID, a rig added twice, and resetting, removing or revoking what is not there, each with its code', async () => {
    const s = store();
    await s.addRig('RIG-01');
    expect(await codeOf(s.addRig('bad id'))).toBe('InvalidRigId');
    expect(await codeOf(s.addRig('RIG-01'))).toBe('RigAlreadyExists');
    expect(await codeOf(s.resetRigSecret('RIG-02'))).toBe('RigNotFound');
    expect(await codeOf(s.removeRig('RIG-02'))).toBe('RigNotFound');
    expect(await codeOf(s.revokeToken('abcdef'))).toBe('TokenNotFound');
    expect(s.rigIds()).toEqual(['RIG-01']);
    expect(JSON.parse(readFileSync(s.file, 'utf8')).rigs['RIG-01'].description).toBeUndefined();
  });

  it('lists rigs sorted and answers only for its own entries, never for names every object has', async () => {
    const s = store();
    for (const id of ['RIG-B', 'RIG-A', 'RIG-C']) await s.addRig(id);
    expect(s.rigIds()).toEqual(['RIG-A', 'RIG-B', 'RIG-C']);
    expect([s.hasRig('RIG-A'), s.hasRig('toString'), s.hasRig('constructor')]).toEqual([true, false, false]);
    expect(await s.verifyRig('constructor', 'x')).toBe(false);
    expect(await s.verifyToken('hft_constructor_AAAAAAAAAAAAAAAAAAAA')).toBeNull();
  });

  it('resets a secret (the old one stops working), removes a rig, and refuses a wrong secret every time it is tried', async () => {
    const s = store();
    const old = await s.addRig('RIG-01');
    expect(await s.verifyRig('RIG-01', old)).toBe(true);
    expect(await s.verifyRig('RIG-01', 'wrong')).toBe(false);
    expect(await s.verifyRig('RIG-01', 'wrong')).toBe(false);
    const fresh = await s.resetRigSecret('RIG-01');
    expect([await s.verifyRig('RIG-01', old), await s.verifyRig('RIG-01', fresh)]).toEqual([false, true]);
    await s.removeRig('RIG-01');
    expect([await s.verifyRig('RIG-01', fresh), s.hasRig('RIG-01')]).toEqual([false, false]);
  });

  it('gives each token its role, lists data-dir and config tokens by source, and revokes', async () => {
    const { token: ciToken, entry } = await provisionToken('ci', 'operator');
    const s = store([entry]);
    const viewer = await s.createToken('vic', 'viewer');
    expect(await s.verifyToken(viewer.token)).toEqual({ id: viewer.id, name: 'vic', role: 'viewer' });
    expect(await s.verifyToken(ciToken)).toEqual({ id: entry.id, name: 'ci', role: 'operator' });
    expect(await s.verifyToken(`${viewer.token.slice(0, -1)}${viewer.token.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(s.listTokens()).toEqual([
      { id: viewer.id, name: 'vic', role: 'viewer', createdAt: expect.any(String), source: 'data-dir' },
      { id: entry.id, name: 'ci', role: 'operator', source: 'config' },
    ]);
    await s.revokeToken(viewer.id);
    expect(await s.verifyToken(viewer.token)).toBeNull();
    expect(s.listTokens().map((t) => t.id)).toEqual([entry.id]);
  });

  it('refuses a token whose secret part is too short to be one it made', async () => {
    const s = store();
    const { id } = await s.createToken('vic', 'viewer');
    expect(await s.verifyToken(`hft_${id}_short`)).toBeNull();
  });

  it('sees changes another process makes, even one written in place, and forgets secrets verified before', async () => {
    const dataDir = tempDir();
    const server = CredentialStore.inDataDir(dataDir);
    const cli = CredentialStore.inDataDir(dataDir);
    const secret = await cli.addRig('RIG-01');
    expect(await server.verifyRig('RIG-01', secret)).toBe(true);
    // An edit in place (same inode): the rig's entry taken out by hand.
    const file = JSON.parse(readFileSync(server.file, 'utf8'));
    delete file.rigs['RIG-01'];
    writeFileSync(server.file, JSON.stringify(file));
    expect([server.hasRig('RIG-01'), await server.verifyRig('RIG-01', secret)]).toEqual([false, false]);
  });

  it('names the file when it cannot be read', () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'credentials.json');
    writeFileSync(file, '{"rigs": {"RIG-01": {}}}');
    try {
      CredentialStore.inDataDir(dataDir);
      expect.unreachable('accepted');
    } catch (err) {
      expect(isHubflashError(err, ErrorCode.ServerConfigInvalid)).toBe(true);
      expect((err as Error).message).toContain(`Cannot read the credentials file ${file}`);
    }
  });
});
