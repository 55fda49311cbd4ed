import type { IdentifyReply } from '../../protocol/messages/index.ts';
import { Link, type LinkOptions } from '../link/index.ts';
import type { Transport } from '../transport/index.ts';
import { checkIdentity } from './identity.ts';

/**
 * CONNECT and IDENTIFY, nothing else: who is on this port. The transport is left open, so a
 * session can follow on it. Throws HubflashError (link, HubIdentityInvalid).
 */
export async function probeHub(transport: Transport, options: LinkOptions = {}): Promise<IdentifyReply> {
  const link = new Link(transport, options);
  try {
    await link.open();
    await link.connect();
    const reply = await link.request({ kind: 'identify' });
    checkIdentity(reply, link.name);
    return reply;
  } finally {
    link.detach();
  }
}
