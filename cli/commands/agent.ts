import type { Command } from 'commander';
import pino from 'pino';
import { loadAgentConfig, RigDaemon } from '../../agent/daemon/index.ts';

/** `hubflash agent --config FILE`: the rig daemon (docs/agent.md, deploy/hubflash-agent.service). */
export function register(program: Command): void {
  program
    .command('agent')
    .description('Run the rig agent unattended: discover hubs, fetch their jobs, flash, report to the server')
    .requiredOption('--config <file>', 'agent config (JSON): rig ID, secret, server, ports, concurrency, data folder')
    .action(async (opts: { config: string }) => {
      const config = loadAgentConfig(opts.config);
      const logger = pino({ level: config.logLevel, base: { rigId: config.rigId } });
      const daemon = await RigDaemon.start(config, { logger });
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals): void => {
          logger.info({ signal }, 'signal received');
          process.off('SIGTERM', stop).off('SIGINT', stop);
          void daemon.stop().then(resolve, (err: unknown) => {
            logger.error({ err }, 'stop failed');
            process.exitCode = 1;
            resolve();
          });
        };
        process.on('SIGTERM', stop).on('SIGINT', stop);
      });
    });
}
