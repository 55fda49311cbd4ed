import type { FastifyRequest } from 'fastify';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { ROLES, type Role } from '../config/config.ts';
import type { CredentialStore } from '../datadir/CredentialStore.ts';
import type { Access, Caller } from './route.ts';

const rank = (role: Role): number => ROLES.indexOf(role);

/**
 * Checks the caller's credentials against a route's access: a bearer token whose role is at
 * least the one required, or, for image downloads, a rig's own ID and secret (HTTP Basic).
 */
export async function authorize(request: FastifyRequest, access: Access, credentials: CredentialStore): Promise<Caller> {
  if (access === 'public') return { actor: 'anonymous' };
  const header = request.headers.authorization ?? '';
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer') {
    const token = await credentials.verifyToken(value.trim());
    if (!token) throw new HubflashError(ErrorCode.Unauthenticated, 'The bearer token is not valid (unknown, revoked or mistyped)');
    const needed: Role = access === 'rig-or-viewer' ? 'viewer' : access;
    if (rank(token.role) < rank(needed)) {
      throw new HubflashError(ErrorCode.Forbidden, `This needs the ${needed} role; the token "${token.name}" has ${token.role}`, { needed, role: token.role });
    }
    return { actor: `token:${token.id}:${token.name}`, role: token.role };
  }
  if (scheme?.toLowerCase() === 'basic' && access === 'rig-or-viewer') {
    const decoded = Buffer.from(value.trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const rigId = decoded.slice(0, colon);
    if (colon > 0 && (await credentials.verifyRig(rigId, decoded.slice(colon + 1)))) return { actor: `rig:${rigId}`, rigId };
    throw new HubflashError(ErrorCode.Unauthenticated, 'Unknown rig or wrong secret');
  }
  throw new HubflashError(ErrorCode.Unauthenticated, 'This needs credentials: an API token as "Authorization: Bearer <token>"');
}
