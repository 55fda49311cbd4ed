/** `hubflash identify`: who is on each port (CONNECT + IDENTIFY, nothing written to the hub). */
import type { Command } from 'commander';
import { identifyHub, type HubIdentityReport } from '../../agent/index.ts';
import { ErrorCode, HubflashError, isHubflashError } from '../../protocol/errors/index.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function register(program: Command): void {
  program
    .command('identify')
    .description("Connect to the hubs on the given ports and print each hub's identity")
    .requiredOption('--port <path>', 'serial port of a hub; repeat for several', collect, [])
    .option('--baud <rate>', 'serial line rate', '115200')
    .option('--json', 'print one JSON object per hub')
    .action(async (opts: { port: string[]; baud: string; json?: boolean }) => {
      if (opts.port.length === 0) throw new HubflashError(ErrorCode.RigOptionInvalid, "No port given: use --port PATH (repeatable)");
      const baudRate = Number(opts.baud);
      const reports = await Promise.all(
        opts.port.map(async (path) => {
          try {
            return await identifyHub({ kind: 'serial', path, baudRate });
          } catch (err) {
            if (!isHubflashError(err)) throw err;
            return { port: path, error: err.toJSON() };
          }
        }),
      );
      for (const r of reports) process.stdout.write(opts.json ? `${JSON.stringify(r)}\n` : describe(r));
      if (reports.some((r) => 'error' in r)) process.exitCode = 1;
    });
}

function describe(r: HubIdentityReport | { port: string; error: { code: string; message: string } }): string {
  if ('error' in r) return `${r.port}: ${r.error.code} ${r.error.message}\n`;
  return (
    `${r.port}: CHF ${r.chfId}  GPF ${r.gpfId}  ${r.manufacturer} ${r.model} (manufacturer 0x${hex4(r.manufacturerCode)}, image type 0x${hex4(r.imageType)}, hardware 0x${hex4(r.hardwareVersion)})\n` +
    `  ${r.hanVariant}, ${r.installState}, running ${r.runningVersion} ${r.runningHash}, staged slot ${r.slotState}${r.lastBootFailed ? ', last boot FAILED' : ''}\n`
  );
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}
