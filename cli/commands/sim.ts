/**
 * `hubflash sim`: runs simulated hubs on pseudo-terminals, one JSON line per hub on stdout (then a
 * line per event), until Ctrl-C. All behaviour lives in simulators/; this only reads options.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { formatFirmwareVersion, parseFirmwareVersion } from '../../protocol/ids/index.ts';
import { parseImageField } from '../../protocol/image/index.ts';
import {
  FLASH_INSTANT,
  loadOrCreateManufacturerKey,
  RealClock,
  startSimulatedHubs,
  type FleetOptions,
  type HubIdentity,
  type StoredManufacturerKey,
} from '../../simulators/index.ts';

interface SimOptions {
  count: string;
  baud?: string;
  latencyMs?: string;
  faults?: string;
  state?: string;
  trustedKey: string[];
  signingKey?: string;
  factoryImage?: string;
  factoryVersion?: string;
  manufacturer?: string;
  imageType?: string;
  hw?: string;
  rebootMs?: string;
  maxFrame?: string;
  bufferBytes?: string;
  slotSize?: string;
  instantFlash?: boolean;
  timeScale?: string;
  seed?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function number(text: string | undefined, what: string, min = 0): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) throw new HubflashError(ErrorCode.SimInvalidOption, `--${what} must be a number of at least ${min}, got ${JSON.stringify(text)}`);
  return n;
}

function readFile(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new HubflashError(ErrorCode.ImageFileUnreadable, `Cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file }, { cause: err });
  }
}

function line(value: object): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function fleetOptions(o: SimOptions): { fleet: FleetOptions; key?: StoredManufacturerKey; tempDir?: string } {
  const identity: Partial<HubIdentity> = {};
  if (o.manufacturer !== undefined) identity.manufacturerCode = parseImageField(o.manufacturer, 0xffff, 'manufacturer code');
  if (o.imageType !== undefined) identity.imageType = parseImageField(o.imageType, 0xffff, 'image type');
  if (o.hw !== undefined) identity.hardwareVersion = parseImageField(o.hw, 0xffff, 'hardware version');
  const fleet: FleetOptions = {
    count: number(o.count, 'count', 1)!,
    baud: number(o.baud, 'baud', 1),
    latencyMs: number(o.latencyMs, 'latency-ms'),
    faults: o.faults,
    stateDir: o.state,
    factoryVersion: o.factoryVersion === undefined ? undefined : parseFirmwareVersion(o.factoryVersion),
    factoryImage: o.factoryImage === undefined ? undefined : readFile(o.factoryImage, 'factory image'),
    identity,
    flash: o.instantFlash ? FLASH_INSTANT : undefined,
    rebootMs: number(o.rebootMs, 'reboot-ms'),
    maxFrame: number(o.maxFrame, 'max-frame'),
    bufferBytes: number(o.bufferBytes, 'buffer-bytes'),
    slotSize: number(o.slotSize, 'slot-size'),
    seed: number(o.seed, 'seed'),
    clock: o.timeScale === undefined ? undefined : new RealClock(number(o.timeScale, 'time-scale', 0.001)),
  };
  if (o.signingKey !== undefined) fleet.signingKeyPem = readFile(o.signingKey, 'signing key').toString('utf8');
  if (o.trustedKey.length > 0) {
    fleet.trustedKeys = o.trustedKey.map((f) => readFile(f, 'trusted key').toString('utf8'));
    return { fleet };
  }
  if (o.state !== undefined) return { fleet };
  // No folder to keep a generated key in: make one, so the key can be printed as files. It goes
  // when the simulator stops, as the hubs do (nothing else would clean it up).
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'hubflash-sim-'));
  const key = loadOrCreateManufacturerKey(tempDir);
  fleet.trustedKeys = [key.publicKeyPem];
  fleet.signingKeyPem ??= key.privateKeyPem;
  return { fleet, key, tempDir };
}

export function register(program: Command): void {
  program
    .command('sim')
    .description('Run simulated Communications Hubs on pseudo-terminals (one JSON line per hub)')
    .requiredOption('--count <n>', 'how many hubs')
    .option('--baud <rate>', 'serial rate, 8N1 (default 115200)')
    .option('--latency-ms <ms>', 'adapter latency each way (default 2)')
    .option('--faults <spec>', 'fault spec, e.g. "hub2:bitflip=1e-6;hub5:power-loss@offset=65536" (docs/simulator.md)')
    .option('--state <dir>', 'keep hubs (identity, flash) and the generated manufacturer key here')
    .option('--trusted-key <file>', 'manufacturer public key (PEM) the hubs trust; repeatable', collect, [])
    .option('--signing-key <file>', 'manufacturer private key (PEM) that signs the factory images')
    .option('--factory-image <file>', 'manufacturer image every new hub runs at first power-on')
    .option('--factory-version <version>', 'version of the generated factory image (default 1.0.0)')
    .option('--manufacturer <code>', 'manufacturer code of every hub (default 0x121D)')
    .option('--image-type <type>', 'image type of every hub (default 0x0001)')
    .option('--hw <version>', 'hardware version of every hub (default 0x0100)')
    .option('--reboot-ms <ms>', 'reboot silence after ACTIVATE (default 1500)')
    .option('--max-frame <bytes>', "the hubs' largest frame (default 4107)")
    .option('--buffer-bytes <bytes>', 'receive buffer (default 16384)')
    .option('--slot-size <bytes>', 'flash slot size (default 4194304)')
    .option('--instant-flash', 'no flash erase/program/read time')
    .option('--time-scale <x>', 'run simulated time x times faster than the wall clock')
    .option('--seed <n>', 'seed for injected faults (default 1)')
    .action(async (o: SimOptions) => {
      const { fleet: options, key: madeKey, tempDir } = fleetOptions(o);
      // Listen for Ctrl-C before the first line goes out: whoever reads the lines may stop us at once.
      let stopRequested: () => void = () => {};
      const stopping = new Promise<void>((resolve) => (stopRequested = resolve));
      process.on('SIGINT', stopRequested);
      process.on('SIGTERM', stopRequested);
      try {
        const fleet = await startSimulatedHubs(options);
        const key = madeKey ?? fleet.manufacturerKey;
        if (key) line({ event: 'manufacturer-key', keyId: key.keyId, publicKeyPath: key.publicKeyPath, privateKeyPath: key.privateKeyPath });
        for (const h of fleet.hubs) {
          const s = h.hub.snapshot();
          line({ event: 'hub', index: h.index, path: h.path, identity: h.identity, running: { version: formatFirmwareVersion(s.running.version), hash: s.running.hash } });
        }
        for (const name of ['reenumerated', 'power-cut', 'power-on', 'activated', 'confirmed', 'boot-failed']) {
          fleet.events.on(name, (info: object) => line({ event: name, ...info }));
        }
        await stopping;
        await fleet.stop();
        process.stderr.write(`hubflash sim: stopped ${fleet.hubs.length} hub(s)${o.state ? `; state kept in ${o.state}` : ''}\n`);
      } finally {
        process.off('SIGINT', stopRequested);
        process.off('SIGTERM', stopRequested);
        if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
      }
    });
}
