import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerAddresses, ServerConfigInput } from '../../../server/index.ts';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'serverProcess.ts');

export interface ChildServer {
  child: ChildProcess;
  addresses: ServerAddresses;
  /** Everything the child wrote on stderr (its log). */
  stderr: () => string;
}

/** Starts the real server as a child process (through tsx) and waits for it to listen. */
export async function startChildServer(config: ServerConfigInput): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const addresses = await new Promise<ServerAddresses>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(JSON.parse(line) as ServerAddresses);
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening: ${err}`)));
  });
  return { child, addresses, stderr: () => err };
}

/** SIGKILL: no chance to flush or close anything. */
export async function killHard(server: ChildServer): Promise<void> {
  const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
  server.child.kill('SIGKILL');
  await exited;
}
