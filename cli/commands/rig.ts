/**
 * `hubflash rig …`: register rigs (on the data dir: works with or without a running server; the
 * secret is shown once) and show their presence (through the API).
 */
import type { Command } from 'commander';
import { addRig, removeRig, resetRigSecret } from '../../server/admin.ts';
import type { RigPresence } from '../../server/domain/rigs/Presence.ts';
import { apiClient, dataDirOf, formatTable, print, withApiFlags, withDataDirFlags, type ApiOptions, type DataDirOptions } from '../../server/client/options.ts';

const out = (text: string): void => void process.stdout.write(text);

function secretNotice(rigId: string, secret: string): string {
  return `Rig ${rigId}: MQTT username ${rigId}, client ID ${rigId}, secret:\n\n  ${secret}\n\nThis is the only time the secret is shown; the server keeps only its scrypt hash.\n`;
}

const HEADERS = ['RIG', 'STATE', 'CONNECTED', 'LAST SEEN', 'FLASHING NOW'];

function presenceRow(r: RigPresence): string[] {
  const flashing = r.flashing.map((f) => `${f.chfId} ${f.phase} ${Math.round((100 * f.bytesSent) / Math.max(1, f.bytesTotal))}%`).join(', ');
  return [r.rigId, r.state + (r.stale ? ' (stale)' : ''), r.connected ? 'yes' : 'no', r.lastSeen ?? '-', flashing || '-'];
}

export function register(program: Command): void {
  const rig = program.command('rig').description('Flashing rigs: credentials and presence');

  withDataDirFlags(rig.command('add <rigId>').description('Registers a rig and prints its secret, once').option('--description <text>', 'what or where the rig is')).action(
    async (rigId: string, opts: DataDirOptions & { description?: string }) => {
      out(secretNotice(rigId, await addRig(dataDirOf(opts), rigId, undefined, opts.description)));
    },
  );
  withDataDirFlags(rig.command('reset-secret <rigId>').description("Replaces a rig's secret (the old one stops working) and prints the new one, once")).action(
    async (rigId: string, opts: DataDirOptions) => out(secretNotice(rigId, await resetRigSecret(dataDirOf(opts), rigId))),
  );
  withDataDirFlags(rig.command('remove <rigId>').description("Removes a rig's credentials: it can no longer connect")).action(async (rigId: string, opts: DataDirOptions) => {
    await removeRig(dataDirOf(opts), rigId);
    out(`Rig ${rigId} removed.\n`);
  });
  withApiFlags(rig.command('list').description('Every rig: online or offline, last seen, what it is flashing now')).action(async (opts: ApiOptions & { json?: boolean }) => {
    const { items } = await apiClient(opts).get<{ items: RigPresence[] }>('/rigs');
    print(opts.json, items, () => formatTable(HEADERS, items.map(presenceRow)));
  });
  withApiFlags(rig.command('show <rigId>').description("One rig's presence")).action(async (rigId: string, opts: ApiOptions & { json?: boolean }) => {
    const r = await apiClient(opts).get<RigPresence>(`/rigs/${encodeURIComponent(rigId)}`);
    print(opts.json, r, () => formatTable(HEADERS, [presenceRow(r)]));
  });
}
