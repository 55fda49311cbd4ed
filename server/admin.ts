import { userInfo, hostname } from 'node:os';
import { AuditLog, type AuditAnchor, type AuditVerification } from './audit/AuditLog.ts';
import type { Role } from './config/config.ts';
import { CredentialStore, newToken, type TokenIdentity } from './datadir/CredentialStore.ts';

/**
 * Operations on a data dir that work with or without a running server (the server re-reads
 * the credentials file when it changes): rigs and API tokens, each recorded in the audit log.
 * Secrets are returned once and stored only as scrypt hashes.
 */

/** Who runs a CLI command on this machine, for the audit log. */
export function localActor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep 'unknown'
  }
  return `cli:${user}@${hostname()}`;
}

export async function addRig(dataDir: string, rigId: string, actor = localActor(), description?: string): Promise<string> {
  const secret = await CredentialStore.inDataDir(dataDir).addRig(rigId, description);
  await AuditLog.inDataDir(dataDir).append([{ actor, action: 'rig.add', subject: rigId }]);
  return secret;
}

export async function resetRigSecret(dataDir: string, rigId: string, actor = localActor()): Promise<string> {
  const secret = await CredentialStore.inDataDir(dataDir).resetRigSecret(rigId);
  await AuditLog.inDataDir(dataDir).append([{ actor, action: 'rig.reset-secret', subject: rigId }]);
  return secret;
}

export async function removeRig(dataDir: string, rigId: string, actor = localActor()): Promise<void> {
  await CredentialStore.inDataDir(dataDir).removeRig(rigId);
  await AuditLog.inDataDir(dataDir).append([{ actor, action: 'rig.remove', subject: rigId }]);
}

export function listRigIds(dataDir: string): string[] {
  return CredentialStore.inDataDir(dataDir).rigIds();
}

export async function createToken(dataDir: string, name: string, role: Role, actor = localActor()): Promise<{ token: string; id: string }> {
  const created = await CredentialStore.inDataDir(dataDir).createToken(name, role);
  await AuditLog.inDataDir(dataDir).append([{ actor, action: 'token.create', subject: created.id, details: { name, role } }]);
  return created;
}

export async function revokeToken(dataDir: string, id: string, actor = localActor()): Promise<void> {
  await CredentialStore.inDataDir(dataDir).revokeToken(id);
  await AuditLog.inDataDir(dataDir).append([{ actor, action: 'token.revoke', subject: id }]);
}

/**
 * A token for the server config's `tokens` list (for provisioning by configuration management):
 * the token to hand out, and the entry to put in the config (hash only). Not stored anywhere.
 */
export async function provisionToken(name: string, role: Role): Promise<{ token: string; entry: { id: string; name: string; role: Role; hash: string } }> {
  const { token, id, hash } = await newToken();
  return { token, entry: { id, name, role, hash } };
}

export function listTokens(dataDir: string): Array<TokenIdentity & { createdAt?: string }> {
  return CredentialStore.inDataDir(dataDir).listTokens();
}

export function verifyAuditLog(dataDir: string, expect?: AuditAnchor): Promise<AuditVerification> {
  return AuditLog.inDataDir(dataDir).verify(expect);
}
