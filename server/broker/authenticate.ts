import type { Client } from 'aedes';
import { isRigId } from '../../protocol/mqtt/index.ts';
import type { CredentialStore } from '../datadir/CredentialStore.ts';
import { isAllowedWill, OPERATOR_CLIENT_PREFIX, OPERATOR_USERNAME, type Identity } from './acl.ts';

/** MQTT CONNACK return codes (3.1.1). */
export const CONNACK = { identifierRejected: 2, badUsernameOrPassword: 4, notAuthorized: 5 } as const;

export type AuthOutcome = { ok: true; identity: Identity } | { ok: false; returnCode: number; reason: string };

/**
 * Who may connect: a registered rig with its own secret, client ID = rig ID, and a will (if
 * any) only on its own status topic; or an operator's tool with an API token. No anonymous.
 */
export async function authenticateConnection(
  credentials: CredentialStore,
  client: Pick<Client, 'id'>,
  username: string | undefined,
  password: Buffer | undefined,
  willTopic: string | undefined,
): Promise<AuthOutcome> {
  if (!username || !password) return { ok: false, returnCode: CONNACK.notAuthorized, reason: 'anonymous connections are refused' };
  const secret = password.toString('utf8');
  if (username === OPERATOR_USERNAME) {
    const token = await credentials.verifyToken(secret);
    if (!token) return { ok: false, returnCode: CONNACK.badUsernameOrPassword, reason: 'unknown API token' };
    if (!client.id.startsWith(OPERATOR_CLIENT_PREFIX)) {
      return { ok: false, returnCode: CONNACK.identifierRejected, reason: `operator client IDs must start with ${OPERATOR_CLIENT_PREFIX}` };
    }
    if (willTopic !== undefined) return { ok: false, returnCode: CONNACK.notAuthorized, reason: 'operator connections may not set a will' };
    return { ok: true, identity: { kind: 'operator', tokenId: token.id, name: token.name, role: token.role } };
  }
  if (!isRigId(username) || !(await credentials.verifyRig(username, secret))) {
    return { ok: false, returnCode: CONNACK.badUsernameOrPassword, reason: `unknown rig or wrong secret for ${JSON.stringify(username.slice(0, 70))}` };
  }
  const identity: Identity = { kind: 'rig', rigId: username };
  if (client.id !== username) return { ok: false, returnCode: CONNACK.identifierRejected, reason: `rig ${username} must connect with client ID ${username}` };
  if (willTopic !== undefined && !isAllowedWill(identity, willTopic)) {
    return { ok: false, returnCode: CONNACK.notAuthorized, reason: `rig ${username} may set its will only on its own status topic` };
  }
  return { ok: true, identity };
}
