import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { keyIdOf } from '../../protocol/image/index.ts';
import { makeManufacturerKey, type ManufacturerKey } from './firmware.ts';

/** A test manufacturer's key pair and, when kept in a folder, where. */
export interface StoredManufacturerKey extends ManufacturerKey {
  privateKeyPath?: string;
  publicKeyPath?: string;
  /** Made now (not given, not found in the state folder). */
  generated: boolean;
}

/**
 * The simulated fleet's manufacturer key: the one in `dir` (manufacturer.key / .pub) if there is
 * one, else a new one, saved there when a folder is given so a restarted simulator trusts the same
 * key.
 */
export function loadOrCreateManufacturerKey(dir: string | undefined): StoredManufacturerKey {
  const files = dir === undefined ? undefined : { privateKeyPath: path.join(dir, 'manufacturer.key'), publicKeyPath: path.join(dir, 'manufacturer.pub') };
  if (files && existsSync(files.privateKeyPath) && existsSync(files.publicKeyPath)) {
    try {
      const publicKeyPem = readFileSync(files.publicKeyPath, 'utf8');
      return { privateKeyPem: readFileSync(files.privateKeyPath, 'utf8'), publicKeyPem, keyId: keyIdOf(publicKeyPem), ...files, generated: false };
    } catch (err) {
      throw new HubflashError(ErrorCode.SimStateCorrupt, `Cannot read the simulator's manufacturer key in ${dir}: ${String(err)}`, { dir }, { cause: err });
    }
  }
  const key = makeManufacturerKey();
  if (!files) return { ...key, generated: true };
  try {
    mkdirSync(dir!, { recursive: true });
    writeFileSync(files.privateKeyPath, key.privateKeyPem, { mode: 0o600 });
    chmodSync(files.privateKeyPath, 0o600);
    writeFileSync(files.publicKeyPath, key.publicKeyPem);
  } catch (err) {
    throw new HubflashError(ErrorCode.SimStateUnwritable, `Cannot save the simulator's manufacturer key in ${dir}: ${String(err)}`, { dir }, { cause: err });
  }
  return { ...key, ...files, generated: true };
}
