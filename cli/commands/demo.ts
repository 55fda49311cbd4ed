import path from 'node:path';
import type { Command } from 'commander';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { runDemo } from '../demo/run.ts';

/** A whole number in [min, max], or a typed error naming the option. */
const whole =
  (option: string, min: number, max: number) =>
  (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new HubflashError(ErrorCode.CliOptionInvalid, `${option} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`, { option, value: text });
    }
    return n;
  };

/** `hubflash demo` (what `npm start` runs): the whole service on one machine. */
export function register(program: Command): void {
  program
    .command('demo')
    .description('Run the whole service on one machine: server, inventory, a return order, 24 simulated hubs, a rig agent, then results, reconciliation, ASN and charges')
    .option('--data-dir <dir>', 'where the demo keeps the server and rig data (replaced on each run)', './data')
    .option('--hubs <n>', 'simulated hubs', whole('--hubs', 1, 256), 24)
    .option('--baud <rate>', 'serial line rate of each hub', whole('--baud', 1200, 12_000_000), 921_600)
    .option('--payload-kib <n>', 'size of the new firmware, KiB', whole('--payload-kib', 1, 4000), 192)
    .option('--concurrency <n>', 'hubs flashed at once', whole('--concurrency', 1, 256), 12)
    .option('--mqtt-port <port>', 'broker port (0: any free port)', whole('--mqtt-port', 0, 65535), 1883)
    .option('--http-port <port>', 'API port (0: any free port)', whole('--http-port', 0, 65535), 8080)
    .option('--instant', 'no link or flash timing (for tests)')
    .option('--timeout <seconds>', 'give up after this long', whole('--timeout', 1, 86_400), 300)
    .option('--json', 'print a JSON summary at the end')
    .action(async (opts: { dataDir: string; hubs: number; baud: number; payloadKib: number; concurrency: number; mqttPort: number; httpPort: number; instant?: boolean; timeout: number; json?: boolean }) => {
      const summary = await runDemo({
        dataDir: path.resolve(opts.dataDir),
        hubs: opts.hubs,
        baud: opts.baud,
        payloadBytes: opts.payloadKib * 1024,
        mqttPort: opts.mqttPort,
        httpPort: opts.httpPort,
        concurrency: opts.concurrency,
        instant: opts.instant ?? false,
        progress: Boolean(process.stderr.isTTY) && !opts.json,
        timeoutMs: opts.timeout * 1000,
        out: (text) => process.stdout.write(text),
      });
      if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    });
}
