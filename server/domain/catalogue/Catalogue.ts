import { readFileSync } from 'node:fs';
import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import { formatFirmwareVersion, parseFirmwareHash } from '../../../protocol/ids/index.ts';
import { parseImage, verifyWithTrustedKeys, type ManufacturerImage } from '../../../protocol/image/index.ts';
import { prefixRange, readRange, type Store } from '../../storage/Store.ts';
import type { AuditLog } from '../../audit/AuditLog.ts';
import { ImageFiles } from './ImageFiles.ts';

/** What the catalogue knows of one manufacturer image. Versions as 8 hex digits. */
export interface FirmwareEntry {
  sha256: string;
  size: number;
  manufacturerCode: number;
  imageType: number;
  fileVersion: string;
  headerString: string;
  minHardwareVersion?: number;
  maxHardwareVersion?: number;
  /** Versions that may upgrade to this one (from the image); absent: the image does not say. */
  upgradeableFrom?: string[];
  signerKeyId: string;
  /** The TSAT installation end date (IVP) for hubs on this firmware, `YYYY-MM-DD`. */
  installationEndDate?: string;
  approved: boolean;
  approvedBy?: string;
  approvedAt?: string;
  addedBy: string;
  addedAt: string;
}

export interface AddImageOptions {
  by: string;
  installationEndDate?: string;
  approve?: boolean;
}

const SEP = '\x00';
const entryKey = (sha: string): string => `f${SEP}${sha}`;
const ENTRY_PREFIX = `f${SEP}`;

/**
 * The firmware catalogue: images verified against the trusted manufacturer keys, stored by
 * SHA-256 in the data dir, their metadata in the Store.
 */
export class Catalogue {
  private readonly trustedKeys: string[];

  constructor(
    private readonly store: Store,
    readonly files: ImageFiles,
    private readonly audit: AuditLog,
    trustedKeyPaths: readonly string[],
  ) {
    this.trustedKeys = trustedKeyPaths.map((p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch (err) {
        throw new HubflashError(ErrorCode.ServerConfigInvalid, `Cannot read the trusted manufacturer key ${p}: ${(err as Error).message}`, { path: p });
      }
    });
  }

  /** Verifies, stores and records an image. Adding the same image again returns the entry it has. */
  async add(bytes: Uint8Array, options: AddImageOptions): Promise<{ entry: FirmwareEntry; created: boolean }> {
    if (this.trustedKeys.length === 0) {
      throw new HubflashError(ErrorCode.NoTrustedKeys, 'The server has no trusted manufacturer keys, so it cannot verify any image: set trustedManufacturerKeys in its config');
    }
    const image = parseImage(bytes);
    const signerKeyId = verifyWithTrustedKeys(image, this.trustedKeys);
    const existing = await this.find(image.sha256);
    if (existing) return { entry: existing, created: false };
    const entry = describe(image, signerKeyId, options);
    await this.files.write(image.sha256, image.bytes);
    await this.audit.append([{ actor: options.by, action: 'firmware.add', subject: image.sha256, details: { fileVersion: entry.fileVersion, manufacturerCode: entry.manufacturerCode, approved: entry.approved } }]);
    await this.put(entry);
    return { entry, created: true };
  }

  async setApproved(sha256: string, approved: boolean, by: string): Promise<FirmwareEntry> {
    const entry = await this.get(sha256);
    const next: FirmwareEntry = { ...entry, approved };
    if (approved) Object.assign(next, { approvedBy: by, approvedAt: new Date().toISOString() });
    else {
      delete next.approvedBy;
      delete next.approvedAt;
    }
    await this.audit.append([{ actor: by, action: approved ? 'firmware.approve' : 'firmware.withdraw', subject: entry.sha256 }]);
    await this.put(next);
    return next;
  }

  async find(sha256: string): Promise<FirmwareEntry | undefined> {
    const text = await this.store.get(entryKey(parseFirmwareHash(sha256)));
    return text === undefined ? undefined : (JSON.parse(text) as FirmwareEntry);
  }

  async get(sha256: string): Promise<FirmwareEntry> {
    const entry = await this.find(sha256);
    if (!entry) throw new HubflashError(ErrorCode.FirmwareNotFound, `No image ${sha256} in the firmware catalogue`, { sha256 });
    return entry;
  }

  async list(): Promise<FirmwareEntry[]> {
    return (await readRange(this.store, prefixRange(ENTRY_PREFIX))).map(([, v]) => JSON.parse(v) as FirmwareEntry);
  }

  private async put(entry: FirmwareEntry): Promise<void> {
    await this.store.batch([{ type: 'put', key: entryKey(entry.sha256), value: JSON.stringify(entry) }], { sync: true });
  }
}

function describe(image: ManufacturerImage, signerKeyId: string, options: AddImageOptions): FirmwareEntry {
  const h = image.header;
  const now = new Date().toISOString();
  return {
    sha256: image.sha256,
    size: image.bytes.length,
    manufacturerCode: h.manufacturerCode,
    imageType: h.imageType,
    fileVersion: formatFirmwareVersion(h.fileVersion),
    headerString: h.headerString,
    ...(h.minHardwareVersion !== undefined ? { minHardwareVersion: h.minHardwareVersion } : {}),
    ...(h.maxHardwareVersion !== undefined ? { maxHardwareVersion: h.maxHardwareVersion } : {}),
    ...(image.upgradeableFrom ? { upgradeableFrom: image.upgradeableFrom.map(formatFirmwareVersion) } : {}),
    signerKeyId,
    ...(options.installationEndDate ? { installationEndDate: options.installationEndDate } : {}),
    approved: options.approve === true,
    ...(options.approve ? { approvedBy: options.by, approvedAt: now } : {}),
    addedBy: options.by,
    addedAt: now,
  };
}
