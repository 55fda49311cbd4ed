import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, HubflashError, isHubflashError } from '../../protocol/errors/index.ts';
import { HubFlash } from '../flash/hubFlash.ts';
import { hasFlashState, loadFlash } from '../flash/persist.ts';
import type { Random } from '../random.ts';
import { resolveIdentity, type HubIdentity } from './identity.ts';
import type { ResolvedHubOptions } from './options.ts';

/**
 * A hub's state folder: `identity.json` beside the flash files. A hub created on a folder that
 * already holds a hub is that hub again: its identity and flash win over the options given.
 */
export function loadOrCreateIdentity(dir: string | undefined, fallback: HubIdentity): HubIdentity {
  if (dir === undefined) return fallback;
  const file = path.join(dir, 'identity.json');
  if (existsSync(file)) {
    try {
      return resolveIdentity(JSON.parse(readFileSync(file, 'utf8')) as Partial<HubIdentity>, fallback);
    } catch (err) {
      const why = isHubflashError(err) ? err.message : String(err);
      throw new HubflashError(ErrorCode.SimStateCorrupt, `Cannot read the simulated hub's identity ${file}: ${why}`, { file }, { cause: err });
    }
  }
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(fallback, null, 2)}\n`);
  } catch (err) {
    throw new HubflashError(ErrorCode.SimStateUnwritable, `Cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file }, { cause: err });
  }
  return fallback;
}

/** The flash as the folder kept it, or fresh from the factory: the factory image in slot 0. */
export function loadOrProvisionFlash(opts: ResolvedHubOptions, rng: Random): HubFlash {
  if (opts.stateDir !== undefined && hasFlashState(opts.stateDir)) return loadFlash(opts.stateDir, opts.slotSize, rng);
  const flash = new HubFlash(opts.slotSize, rng);
  const image = opts.factoryImage;
  flash.provision(image, {
    runningSlot: 0,
    running: { version: opts.runningVersion, size: image.length, hash: createHash('sha256').update(image).digest('hex') },
    staged: null,
    trial: null,
    lastBootFailed: false,
  });
  return flash;
}
