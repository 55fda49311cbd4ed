import { createHash } from 'node:crypto';
import { formatFirmwareVersion, makeSscc, parseFirmwareVersion } from '../../protocol/ids/index.ts';
import { generateManufacturerKeyPair } from '../../protocol/image/index.ts';
import { HanVariant, InstallState } from '../../protocol/messages/index.ts';
import { makeFirmwareImage, type HubFaults, type HubIdentity } from '../../simulators/index.ts';

/**
 * The demo's world: one manufacturer, two hub models, their firmware, 24 returned hubs on two
 * pallets of cartons with mixed firmware, and what goes wrong with three of them. Deterministic
 * (apart from the key pair), so every run tells the same story.
 */

export const MANUFACTURER = { code: 0x121d, name: 'Demo Hubs Ltd' };
export const PARTY = { id: 'SUPPLIER-A', name: 'Supplier A Energy', depot: 'Supplier A depot, Leeds' };
/** The User's own GS1 prefix on the pallets and cartons it sends back. */
const USER_GS1_PREFIX = '5012345';

export interface Model {
  name: string;
  imageType: number;
  hanVariant: HanVariant;
  hardwareVersion: number;
}

export const MODELS: readonly Model[] = [
  { name: 'DH-CH-SB', imageType: 0x0001, hanVariant: HanVariant.SingleBand, hardwareVersion: 0x0110 },
  { name: 'DH-CH-DB', imageType: 0x0002, hanVariant: HanVariant.DualBand, hardwareVersion: 0x0210 },
];

export interface Firmware {
  model: Model;
  version: string;
  bytes: Uint8Array;
  sha256: string;
}

export interface DemoHub {
  index: number;
  identity: HubIdentity;
  factory: Firmware;
  faults: HubFaults;
  /** What the SMI snapshot says; absent for a hub the SMI does not know. */
  smi?: { status: string; firmware: Firmware };
  /** Why this hub is in the story, for the printout. */
  note: string;
}

export interface DemoWorld {
  key: { privateKeyPem: string; publicKeyPem: string };
  firmware: Firmware[];
  /** What the order asks for each model (the dual-band User stays on 2.0.1: 2.0.2 exists). */
  targets: Array<{ model: string; firmwareVersion: string }>;
  hubs: DemoHub[];
  pallets: Array<{ sscc: string; cartons: Array<{ sscc: string; hubs: string[] }> }>;
}

const FACTORY_PAYLOAD = 16 * 1024;

export function buildWorld(options: { hubs: number; payloadBytes: number }): DemoWorld {
  const key = generateManufacturerKeyPair();
  const firmware: Firmware[] = [];
  const image = (model: Model, version: string, upgradeableFrom: string[], payloadBytes: number): Firmware => {
    const bytes = makeFirmwareImage({
      privateKeyPem: key.privateKeyPem,
      version: parseFirmwareVersion(version),
      manufacturerCode: MANUFACTURER.code,
      imageType: model.imageType,
      hardware: { min: model.hardwareVersion & 0xff00, max: model.hardwareVersion | 0x00ff },
      upgradeableFrom: upgradeableFrom.map(parseFirmwareVersion),
      payloadBytes,
      seed: `${model.name} ${version}`,
    });
    const fw = { model, version, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
    firmware.push(fw);
    return fw;
  };
  const [sb, db] = MODELS as [Model, Model];
  const old = {
    sb: [image(sb, '1.37.7', [], FACTORY_PAYLOAD), image(sb, '1.38.3', [], FACTORY_PAYLOAD)],
    db: [image(db, '1.38.3', [], FACTORY_PAYLOAD), image(db, '2.0.0', [], FACTORY_PAYLOAD)],
  };
  image(sb, '2.0.1', ['1.37.7', '1.38.3', '2.0.0'], options.payloadBytes);
  const dbTarget = image(db, '2.0.1', ['1.38.3', '2.0.0'], options.payloadBytes);
  image(db, '2.0.2', ['1.38.3', '2.0.0', '2.0.1'], options.payloadBytes);

  const hubs: DemoHub[] = [];
  for (let index = 0; index < options.hubs; index++) {
    const model = index % 2 === 0 ? sb : db;
    const tail = [index >>> 8, index].map((v) => (v & 0xff).toString(16).toUpperCase().padStart(2, '0')).join('-');
    const identity: HubIdentity = {
      chfId: `00-DB-12-34-56-78-${tail}`,
      gpfId: `00-DB-12-34-57-78-${tail}`,
      manufacturerCode: MANUFACTURER.code,
      manufacturer: MANUFACTURER.name,
      model: model.name,
      hardwareVersion: model.hardwareVersion,
      imageType: model.imageType,
      hanVariant: model.hanVariant,
      installState: InstallState.NotInstalled,
    };
    const versions = model === sb ? old.sb : old.db;
    let factory = versions[(index >> 1) % versions.length]!;
    let note = `returned on ${factory.version}`;
    const faults: HubFaults = {};
    let smiStatus = 'Whitelisted';
    if (model === db && (index === 3 || index === 9)) {
      factory = dbTarget;
      note = 'already on the target 2.0.1';
    }
    if (index === 5) {
      faults.powerLoss = [{ offset: Math.floor(options.payloadBytes * 0.45) }];
      faults.powerOnDelayMs = 600;
      note = 'power cut mid-transfer';
    } else if (index === 11) {
      faults.bootFail = Number.POSITIVE_INFINITY;
      note = 'new image fails to boot';
    } else if (index === 17) {
      faults.installState = InstallState.Commissioned;
      identity.installState = InstallState.Commissioned;
      smiStatus = 'Commissioned';
      note = 'Commissioned (installed)';
    }
    const unknown = index === options.hubs - 1;
    if (unknown) note = 'not in the SMI snapshot';
    hubs.push({ index, identity, factory, faults, note, ...(unknown ? {} : { smi: { status: smiStatus, firmware: factory } }) });
  }

  // Two pallets of cartons of four hubs, as the User sent them back.
  const pallets: DemoWorld['pallets'] = [];
  let serial = 7000;
  const sscc = (): string => makeSscc(0, USER_GS1_PREFIX, serial++);
  const perPallet = Math.ceil(hubs.length / 2);
  for (let p = 0; p < 2; p++) {
    const members = hubs.slice(p * perPallet, (p + 1) * perPallet);
    const cartons: Array<{ sscc: string; hubs: string[] }> = [];
    for (let c = 0; c < members.length; c += 4) cartons.push({ sscc: sscc(), hubs: members.slice(c, c + 4).map((h) => h.identity.chfId) });
    pallets.push({ sscc: sscc(), cartons });
  }
  return { key, firmware, targets: [{ model: sb.name, firmwareVersion: '2.0.1' }, { model: db.name, firmwareVersion: '2.0.1' }], hubs, pallets };
}

/** The SMI snapshot the server imports (CSV): every hub the SMI knows. */
export function smiSnapshotCsv(world: DemoWorld): string {
  const header = 'chfId,gpfId,smiStatus,region,hanVariant,manufacturer,manufacturerCode,model,hardwareVersion,chtsVersion,gbcsVersion,connectivity,firmwareVersion,firmwareHash,custody';
  const regions = ['North', 'Central', 'South'];
  const rows = world.hubs.flatMap((h) => {
    if (!h.smi) return [];
    const id = h.identity;
    return [
      [
        id.chfId,
        id.gpfId,
        h.smi.status,
        regions[h.index % 3],
        id.hanVariant === HanVariant.DualBand ? 'DualBand' : 'SingleBand',
        MANUFACTURER.name,
        MANUFACTURER.code.toString(16),
        id.model,
        id.hardwareVersion.toString(16),
        '1.1',
        '3.2',
        '2G/3G',
        formatFirmwareVersion(parseFirmwareVersion(h.smi.firmware.version)),
        h.smi.firmware.sha256,
        'with-user',
      ].join(','),
    ];
  });
  return `${[header, ...rows].join('\n')}\n`;
}

/** The User's return-for-re-flash order. */
export function returnOrder(world: DemoWorld, reference: string): object {
  return {
    reference,
    kind: 'return-for-reflash',
    party: { id: PARTY.id, name: PARTY.name },
    deliveryLocation: { id: 'DEPOT-LEEDS', name: PARTY.depot },
    targets: world.targets,
    arrivals: world.pallets.map((p) => ({ type: 'pallet', sscc: p.sscc, cartons: p.cartons })),
  };
}
