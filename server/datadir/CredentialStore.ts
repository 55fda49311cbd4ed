import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { isRigId } from '../../protocol/mqtt/index.ts';
import { ROLES, type Role } from '../config/config.ts';
import { withFileLock } from './fileLock.ts';
import { fingerprint, hashSecret, newSecret, verifySecret } from './secrets.ts';

/**
 * Rig and operator credentials: `credentials.json` in the data dir, holding only scrypt hashes.
 * Written by `hubflash rig add` / `hubflash server token create` (with or without a running
 * server); the server re-reads the file when it changes, so a new rig can connect at once.
 */

const fileSchema = z.object({
  rigs: z.record(z.string(), z.object({ hash: z.string(), createdAt: z.string(), description: z.string().optional() })).default({}),
  tokens: z.record(z.string(), z.object({ name: z.string(), role: z.enum(ROLES), hash: z.string(), createdAt: z.string() })).default({}),
});
type CredentialsFile = z.output<typeof fileSchema>;

export interface TokenIdentity {
  id: string;
  name: string;
  role: Role;
}
export interface ProvisionedToken extends TokenIdentity {
  hash: string;
}

const TOKEN = /^hft_([a-z0-9]{4,32})_([A-Za-z0-9_-]{16,128})$/;

/** A new API token `hft_<id>_<secret>` and its scrypt hash. */
export async function newToken(): Promise<{ token: string; id: string; hash: string }> {
  const id = randomBytes(6).toString('hex');
  const token = `hft_${id}_${newSecret(32)}`;
  return { token, id, hash: await hashSecret(token) };
}

export class CredentialStore {
  private data: CredentialsFile = { rigs: {}, tokens: {} };
  /** inode, mtime and size of the file as last read: a rename or rewrite changes one of them. */
  private version = '';
  private readonly verified = new Map<string, string>();

  constructor(
    readonly file: string,
    /** Tokens from the server config, never written to the file. */
    private readonly provisioned: readonly ProvisionedToken[] = [],
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.refresh();
  }

  static inDataDir(dataDir: string, provisioned: readonly ProvisionedToken[] = []): CredentialStore {
    return new CredentialStore(path.join(dataDir, 'credentials.json'), provisioned);
  }

  /** Re-reads the file if another process changed it. Cheap: one stat. */
  refresh(): void {
    const st = existsSync(this.file) ? statSync(this.file) : undefined;
    const version = st ? `${st.ino}:${st.mtimeMs}:${st.size}` : 'none';
    if (version === this.version) return;
    this.data = st ? this.readFile() : { rigs: {}, tokens: {} };
    this.version = version;
    this.verified.clear();
  }

  rigIds(): string[] {
    this.refresh();
    return Object.keys(this.data.rigs).sort();
  }

  hasRig(rigId: string): boolean {
    this.refresh();
    return Object.hasOwn(this.data.rigs, rigId);
  }

  /** Registers a rig and returns its secret: the only time it is shown. */
  async addRig(rigId: string, description?: string): Promise<string> {
    if (!isRigId(rigId)) {
      throw new HubflashError(ErrorCode.InvalidRigId, `${JSON.stringify(rigId)} is not a valid rig ID: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`, { rigId });
    }
    const secret = newSecret();
    const hash = await hashSecret(secret);
    await this.update((d) => {
      if (Object.hasOwn(d.rigs, rigId)) throw new HubflashError(ErrorCode.RigAlreadyExists, `Rig ${rigId} is already registered`, { rigId });
      d.rigs[rigId] = { hash, createdAt: new Date().toISOString(), ...(description ? { description } : {}) };
    });
    return secret;
  }

  /** Replaces a rig's secret (the old one stops working) and returns the new one. */
  async resetRigSecret(rigId: string): Promise<string> {
    const secret = newSecret();
    const hash = await hashSecret(secret);
    await this.update((d) => {
      const rig = d.rigs[rigId];
      if (!rig) throw rigNotFound(rigId);
      rig.hash = hash;
    });
    return secret;
  }

  async removeRig(rigId: string): Promise<void> {
    await this.update((d) => {
      if (!Object.hasOwn(d.rigs, rigId)) throw rigNotFound(rigId);
      delete d.rigs[rigId];
    });
  }

  async verifyRig(rigId: string, secret: string): Promise<boolean> {
    this.refresh();
    const rig = Object.hasOwn(this.data.rigs, rigId) ? this.data.rigs[rigId] : undefined;
    return rig !== undefined && this.verifyCached(`rig:${rigId}`, secret, rig.hash);
  }

  /** Creates an API token and returns it: the only time it is shown. */
  async createToken(name: string, role: Role): Promise<{ token: string; id: string }> {
    const { token, id, hash } = await newToken();
    await this.update((d) => {
      d.tokens[id] = { name, role, hash, createdAt: new Date().toISOString() };
    });
    return { token, id };
  }

  async revokeToken(id: string): Promise<void> {
    await this.update((d) => {
      if (!Object.hasOwn(d.tokens, id)) throw new HubflashError(ErrorCode.TokenNotFound, `No API token with ID ${id}`, { id });
      delete d.tokens[id];
    });
  }

  listTokens(): Array<TokenIdentity & { createdAt?: string; source: 'data-dir' | 'config' }> {
    this.refresh();
    return [
      ...Object.entries(this.data.tokens).map(([id, t]) => ({ id, name: t.name, role: t.role, createdAt: t.createdAt, source: 'data-dir' as const })),
      ...this.provisioned.map((t) => ({ id: t.id, name: t.name, role: t.role, source: 'config' as const })),
    ];
  }

  /** The identity behind a bearer token, or null. */
  async verifyToken(token: string): Promise<TokenIdentity | null> {
    this.refresh();
    const m = TOKEN.exec(token);
    if (!m) return null;
    const id = m[1]!;
    const entry = Object.hasOwn(this.data.tokens, id) ? this.data.tokens[id] : this.provisioned.find((t) => t.id === id);
    if (!entry) return null;
    return (await this.verifyCached(`token:${id}`, token, entry.hash)) ? { id, name: entry.name, role: entry.role } : null;
  }

  private async verifyCached(key: string, secret: string, hash: string): Promise<boolean> {
    const print = fingerprint(secret);
    if (this.verified.get(key) === print) return true;
    const ok = await verifySecret(secret, hash);
    if (ok) this.verified.set(key, print);
    return ok;
  }

  private async update(change: (d: CredentialsFile) => void): Promise<void> {
    await withFileLock(`${this.file}.lock`, () => {
      const data = existsSync(this.file) ? this.readFile() : { rigs: {}, tokens: {} };
      change(data);
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
      renameSync(tmp, this.file);
    });
    this.version = '';
    this.refresh();
  }

  private readFile(): CredentialsFile {
    try {
      return fileSchema.parse(JSON.parse(readFileSync(this.file, 'utf8')));
    } catch (err) {
      throw new HubflashError(ErrorCode.ServerConfigInvalid, `Cannot read the credentials file ${this.file}: ${(err as Error).message}`, { file: this.file });
    }
  }
}

function rigNotFound(rigId: string): HubflashError {
  return new HubflashError(ErrorCode.RigNotFound, `No rig ${rigId} is registered`, { rigId });
}
