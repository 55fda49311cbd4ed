import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import type { LinkOptions } from '../link/index.ts';
import { silentLogger, type AgentLogger } from '../log.ts';
import { realpathSync } from 'node:fs';
import type { FlashResult, SessionProgress } from '../session/index.ts';
import type { PortRef } from '../transport/index.ts';
import { MergedDiscovery, SerialDiscovery, UsbDiscovery, type SerialPortInfo, type UsbIdFilter } from './discovery/index.ts';
import { loadFlashImage } from './imageFile.ts';
import { Journal } from './journal.ts';
import { Rig } from './rig.ts';

export interface RunFlashOptions {
  imagePath: string;
  trustedKeyPaths: string[];
  /** Serial port paths. */
  ports: string[];
  /**
   * Also flash the serial hubs whose USB-serial adapter has these IDs, present at start; and a
   * hub pulled mid-flash is followed onto any such port it comes back on, not just its old path.
   */
  serialUsb?: UsbIdFilter[];
  /** How serial ports are listed with their USB IDs (default: serialport's list, via udevadm). */
  listSerialPorts?: () => Promise<SerialPortInfo[]>;
  /** Also flash USB hubs with these IDs present at start. */
  usb?: UsbIdFilter[];
  /** A W3C USB object to find them with (default: the `usb` package's WebUSB). */
  usbApi?: USB;
  concurrency: number;
  journalDir: string;
  baudRate: number;
  reappearMs?: number;
  /** How often the serial ports given are looked at for a hub that left coming back (default 250 ms). */
  rescanMs?: number;
  link?: LinkOptions;
  signal?: AbortSignal;
  logger?: AgentLogger;
  /** Told before anything is sent: the verified image. */
  onImage?: (image: { sha256: string; version: string; size: number; keyId: string }) => void;
  onProgress?: (p: SessionProgress) => void;
  onResult?: (r: FlashResult) => void;
}

/**
 * What `hubflash flash` does: verify the image, open the journal, flash every port with the
 * rig, close the journal. Resolves with one result per hub; whether all succeeded is the caller's
 * to judge.
 */
export async function runFlash(o: RunFlashOptions): Promise<FlashResult[]> {
  const log = o.logger ?? silentLogger;
  checkOptions(o);
  const image = loadFlashImage(o.imagePath, o.trustedKeyPaths);
  o.onImage?.({ sha256: image.sha256, version: image.versionText, size: image.size, keyId: image.keyId });
  const { ports, discovery } = await findHubPorts(o, log);
  const journal = await Journal.open(o.journalDir, log).catch((err: unknown) => {
    discovery.stop();
    throw err;
  });
  try {
    const rig = new Rig({
      image,
      journal,
      concurrency: o.concurrency,
      logger: log,
      ...(o.reappearMs !== undefined ? { reappearMs: o.reappearMs } : {}),
      ...(o.link ? { link: o.link } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    if (o.onProgress) rig.on('progress', o.onProgress);
    if (o.onResult) rig.on('result', o.onResult);
    rig.attach(discovery);
    return await rig.flashAll(ports);
  } finally {
    discovery.stop();
    await journal.close();
  }
}

/**
 * The ports to flash now, and the discovery that keeps watching them. The serial ports given are
 * watched (a hub pulled mid-flash that comes back on the same path, as a /dev/serial/by-id name
 * does when the adapter re-enumerates, resumes); with --serial-usb every port of the cradles'
 * adapters is, since a hub may come back on any of them; USB hubs are followed wherever they go.
 */
async function findHubPorts(o: RunFlashOptions, log: AgentLogger): Promise<{ ports: PortRef[]; discovery: MergedDiscovery }> {
  const serialUsb = o.serialUsb ?? [];
  const usbFilters = o.usb ?? [];
  const serial =
    o.ports.length > 0 || serialUsb.length > 0
      ? new SerialDiscovery({ paths: o.ports, filters: serialUsb, baudRate: o.baudRate, intervalMs: o.rescanMs ?? 250, logger: log, ...(o.listSerialPorts ? { list: o.listSerialPorts } : {}) })
      : undefined;
  const usb = usbFilters.length > 0 ? new UsbDiscovery({ filters: usbFilters, logger: log, ...(o.usbApi ? { usb: o.usbApi } : {}) }) : undefined;
  const discovery = new MergedDiscovery([serial, usb].filter((d): d is SerialDiscovery | UsbDiscovery => d !== undefined));
  try {
    let unlistable: HubflashError | undefined;
    serial?.once('unavailable', (err) => (unlistable = err));
    await serial?.start();
    if (unlistable && serialUsb.length > 0) throw unlistable;
    await usb?.start();
    const given: PortRef[] = o.ports.map((path) => ({ kind: 'serial', path, baudRate: o.baudRate }));
    const ports = [...given, ...newDevices(o.ports, serial?.current() ?? []), ...(usb?.current() ?? [])];
    if (ports.length === 0) {
      const what = serialUsb.length > 0 ? ' (no serial port has the --serial-usb IDs now)' : '';
      throw new HubflashError(ErrorCode.RigOptionInvalid, `No hub to flash${what}: give --port, or plug the hubs in and give --serial-usb or --usb`);
    }
    return { ports, discovery };
  } catch (err) {
    discovery.stop();
    throw err;
  }
}

/** Listed serial ports that are not one of the `given` paths under another name (a by-id link to the same tty, say). */
function newDevices(given: readonly string[], listed: readonly PortRef[]): PortRef[] {
  const device = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  };
  const seen = new Set(given.map(device));
  const out: PortRef[] = [];
  for (const p of listed) {
    if (p.kind !== 'serial') continue;
    const d = device(p.path);
    if (seen.has(d)) continue;
    seen.add(d);
    out.push(p);
  }
  return out;
}

function checkOptions(o: RunFlashOptions): void {
  const bad = (message: string, context: Record<string, unknown>): HubflashError => new HubflashError(ErrorCode.RigOptionInvalid, message, context);
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1) throw bad(`--concurrency must be a whole number of at least 1, got ${String(o.concurrency)}`, { concurrency: o.concurrency });
  if (!Number.isInteger(o.baudRate) || o.baudRate < 300) throw bad(`--baud must be a whole number of at least 300, got ${String(o.baudRate)}`, { baudRate: o.baudRate });
  const seen = new Set<string>();
  for (const p of o.ports) {
    if (seen.has(p)) throw bad(`Port ${p} is given twice`, { port: p });
    seen.add(p);
  }
}
