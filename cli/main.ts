/**
 * The `hubflash` command. It owns no logic: each file in cli/commands/ registers its subcommands
 * on the program and calls into agent/, server/ or simulators/ (see ../shared/ARCHITECTURE.md).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { runCommand } from './run.ts';

export interface CommandModule {
  register(program: Command): void;
}

const commandsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'commands');

async function buildProgram(): Promise<Command> {
  const program = new Command('hubflash')
    .description('Re-flash GB smart-meter Communications Hubs: rigs, server and simulated hubs')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  const files = readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(commandsDir, file)).href)) as Partial<CommandModule>;
    mod.register?.(program);
  }
  return program;
}

await runCommand(async () => {
  const program = await buildProgram();
  await program.parseAsync(process.argv);
});
