import { isHubflashError } from '../protocol/errors/index.ts';

/**
 * Runs a command body and turns a thrown error into a message and an exit status: a
 * HubflashError prints its code and message (exit 1); anything else is a bug and prints a stack.
 */
export async function runCommand(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (isHubflashError(err)) {
      process.stderr.write(`hubflash: ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`hubflash: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  }
}
