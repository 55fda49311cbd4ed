import { Command } from 'commander';
import { runCommand } from '../../../cli/run.ts';
import * as audit from '../../../cli/commands/audit.ts';
import * as devices from '../../../cli/commands/devices.ts';
import * as firmware from '../../../cli/commands/firmware.ts';
import * as rig from '../../../cli/commands/rig.ts';
import * as server from '../../../cli/commands/server.ts';

export interface CliRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs `hubflash <args>` in this process with the server's commands (as cli/main.ts wires them) and `more`,
 * through the same error handling, capturing what it prints.
 */
export async function runCli(args: string[], more: ReadonlyArray<{ register(program: Command): void }> = []): Promise<CliRun> {
  const program = new Command('hubflash').exitOverride();
  for (const mod of [audit, devices, firmware, rig, server, ...more]) mod.register(program);
  let stdout = '';
  let stderr = '';
  const realOut = process.stdout.write.bind(process.stdout);
  const realErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await runCommand(() => program.parseAsync(args, { from: 'user' }).then(() => undefined));
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = before;
  return { stdout, stderr, exitCode };
}
