/**
 * `hubflash flash`: flash the hubs on the given ports with one verified image. Presentation only
 * (bars, JSON lines, summary, exit status); the work is agent/'s runFlash.
 */
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import pino from 'pino';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { parseUsbIdFilter, runFlash, type FlashResult, type UsbIdFilter } from '../../agent/index.ts';
import { ProgressBars } from '../../agent/ui/progressBars.ts';

interface FlashOptions {
  image: string;
  trustedKey: string[];
  port: string[];
  serialUsb: string[];
  usb: string[];
  concurrency: string;
  journal: string;
  baud: string;
  maxFrame?: string;
  reappearMs: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export const DEFAULT_JOURNAL_DIR = path.join(os.homedir(), '.hubflash', 'journal');

export function register(program: Command): void {
  program
    .command('flash')
    .description('Flash the hubs on the given ports with a verified manufacturer image (resumes where a flash stopped)')
    .requiredOption('--image <file>', 'manufacturer image to flash')
    .option('--trusted-key <file>', 'trusted manufacturer public key (PEM); repeat for several', collect, [])
    .option('--port <path>', 'serial port of a hub; repeat for several', collect, [])
    .option('--serial-usb <vid:pid>', "also flash the serial hubs whose USB-serial adapter has this vendor:product ID (hex), and follow a hub pulled mid-flash onto any such port; repeatable", collect, [])
    .option('--usb <vid:pid>', 'also flash the USB hubs with this vendor:product ID (hex); repeatable', collect, [])
    .option('--concurrency <n>', 'hubs flashed at once', '8')
    .option('--journal <dir>', 'resume journal folder', DEFAULT_JOURNAL_DIR)
    .option('--baud <rate>', 'serial line rate', '115200')
    .option('--max-frame <bytes>', 'largest frame offered to the hubs (default 2048)')
    .option('--reappear-ms <ms>', 'how long to wait for a hub that left its port mid-flash', '30000')
    .option('--json', 'print one JSON result per hub instead of progress bars')
    .action(async (opts: FlashOptions) => {
      const usb = opts.usb.map((t) => usbFilter('--usb', t));
      const serialUsb = opts.serialUsb.map((t) => usbFilter('--serial-usb', t));
      const json = opts.json === true;
      const bars = !json && process.stderr.isTTY ? new ProgressBars(process.stderr) : undefined;
      const logger = pino({ level: bars ? 'error' : 'warn' }, pino.destination({ fd: 2, sync: true }));
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
      let results: FlashResult[];
      try {
        results = await runFlash({
          imagePath: opts.image,
          trustedKeyPaths: opts.trustedKey,
          ports: opts.port,
          serialUsb,
          usb,
          concurrency: Number(opts.concurrency),
          journalDir: opts.journal,
          baudRate: Number(opts.baud),
          reappearMs: Number(opts.reappearMs),
          ...(opts.maxFrame ? { link: { maxFrame: Number(opts.maxFrame) } } : {}),
          signal: stop.signal,
          logger,
          onProgress: (p) => bars?.update(p),
          onResult: (r) => {
            if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
            bars?.finish(r);
          },
        });
      } finally {
        bars?.stop();
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      }
      if (!json) process.stdout.write(summary(results));
      const ok = results.every((r) => r.outcome === 'verified' || r.outcome === 'already-current');
      if (!ok) process.exitCode = 1;
    });
}

function usbFilter(option: string, text: string): UsbIdFilter {
  const f = parseUsbIdFilter(text);
  if (!f) throw new HubflashError(ErrorCode.RigOptionInvalid, `${option} ${JSON.stringify(text)} is not a USB ID: give vendor:product in hex, e.g. 0403:6015`, { [option.slice(2)]: text });
  return f;
}

function summary(results: FlashResult[]): string {
  const lines = results.map((r) => {
    const hub = r.hub?.chfId ?? '?';
    const from = r.from ? r.from.version : '?';
    const what = r.error ? `${r.outcome} ${r.error.code} ${r.error.message}` : r.outcome;
    return `${r.port}  ${hub}  ${from} -> ${r.to.version}  ${what}  sent ${r.bytesSent} B, re-sent ${r.bytesResent} B, resumes ${r.resumes}`;
  });
  const good = results.filter((r) => r.outcome === 'verified' || r.outcome === 'already-current').length;
  return `${lines.join('\n')}\n${good} of ${results.length} hubs on the image\n`;
}
