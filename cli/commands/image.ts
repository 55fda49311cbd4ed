/**
 * `hubflash image …`: make manufacturer keys, build, inspect and verify manufacturer images.
 * File I/O lives here; everything about the format is in protocol/image.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { parseFirmwareVersion } from '../../protocol/ids/index.ts';
import {
  buildImage,
  describeImage,
  generateManufacturerKeyPair,
  parseImage,
  parseImageField,
  verifyWithTrustedKeys,
  type ImageDescription,
  type ImageSpec,
} from '../../protocol/image/index.ts';

function readBytes(file: string, what: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new HubflashError(ErrorCode.ImageFileUnreadable, `Cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file }, { cause: err });
  }
}

function writeBytes(file: string, data: Uint8Array | string, mode?: number): void {
  try {
    writeFileSync(file, data, mode === undefined ? undefined : { mode });
    if (mode !== undefined) chmodSync(file, mode); // writeFileSync keeps an existing file's mode
  } catch (err) {
    throw new HubflashError(ErrorCode.ImageFileUnwritable, `Cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file }, { cause: err });
  }
}

const readText = (file: string, what: string): string => Buffer.from(readBytes(file, what)).toString('utf8');

function summary(d: ImageDescription): Array<[string, string]> {
  return [
    ['SHA-256', d.sha256],
    ['File size', `${d.fileSize} bytes (header declares ${d.totalImageSize})`],
    ['Header', `version ${d.headerVersion}, length ${d.headerLength}, field control ${d.fieldControl}`],
    ['Manufacturer code', d.manufacturerCode],
    ['Image type', d.imageType],
    ['File version', `${d.fileVersion} (${d.fileVersionDotted})`],
    ['Stack version', d.stackVersion],
    ['Header string', JSON.stringify(d.headerString)],
    ['Hardware versions', d.hardwareVersions ? `${d.hardwareVersions.min} to ${d.hardwareVersions.max}` : 'any'],
    ['Security credential', d.securityCredentialVersion === null ? '-' : String(d.securityCredentialVersion)],
    ['Destination', d.upgradeFileDestination ?? 'any device'],
    ['Upgrade image', `${d.upgradeImageSize} bytes, ${d.upgradeImageFormat}`],
    ['Sub-elements', d.subElements.map((e) => `${e.tag} (${e.length} bytes)`).join(', ') || '-'],
    ['Payload', `${d.payloadSize} bytes`],
    ['Upgradeable from', d.upgradeableFrom ? d.upgradeableFrom.join(', ') || '(none)' : 'not stated'],
    ['Signer key ID', d.signerKeyId ?? 'not stated'],
    ['Signature', d.signature],
  ];
}

function table(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}

interface BuildOptions {
  manufacturer: string;
  imageType: string;
  version: string;
  key: string;
  hwMin?: string;
  hwMax?: string;
  upgradeableFrom?: string;
  stackVersion?: string;
  headerString?: string;
  out?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function register(program: Command): void {
  const image = program.command('image').description('Manufacturer images: keys, build, inspect, verify');

  image
    .command('keygen')
    .description('Make an ECDSA P-256 manufacturer signing key pair')
    .option('--out <prefix>', 'write PREFIX.key (private, mode 0600) and PREFIX.pub')
    .option('--force', 'overwrite existing key files')
    .action((opts: { out?: string; force?: boolean }) => {
      const pair = generateManufacturerKeyPair();
      if (opts.out === undefined) {
        process.stdout.write(`${pair.privateKeyPem}${pair.publicKeyPem}Key ID: ${pair.keyId}\n`);
        return;
      }
      const keyFile = `${opts.out}.key`;
      const pubFile = `${opts.out}.pub`;
      for (const f of [keyFile, pubFile]) {
        if (!opts.force && existsSync(f)) {
          throw new HubflashError(ErrorCode.ImageFileUnwritable, `${f} already exists; pass --force to replace the key pair`, { file: f });
        }
      }
      writeBytes(keyFile, pair.privateKeyPem, 0o600);
      writeBytes(pubFile, pair.publicKeyPem, 0o644);
      process.stdout.write(`Wrote ${keyFile} (private) and ${pubFile}\nKey ID: ${pair.keyId}\n`);
    });

  image
    .command('build')
    .description('Build and sign a manufacturer image around a firmware payload')
    .argument('<payload>', 'firmware payload file')
    .requiredOption('--manufacturer <code>', 'manufacturer code, e.g. 0x121D')
    .requiredOption('--image-type <type>', 'image type, e.g. 0x0000')
    .requiredOption('--version <version>', 'file version: 8 hex digits or dotted (1.38.3)')
    .requiredOption('--key <file>', 'manufacturer private key (PEM)')
    .option('--hw-min <version>', 'minimum hardware version, e.g. 0x1111')
    .option('--hw-max <version>', 'maximum hardware version, e.g. 0x1211')
    .option('--upgradeable-from <versions>', 'comma-separated versions this image may upgrade')
    .option('--stack-version <version>', 'Zigbee stack version (default 0x0002)')
    .option('--header-string <text>', 'header string, up to 32 printable characters')
    .option('--out <file>', 'output file (default: payload name + .ota)')
    .action((payloadFile: string, opts: BuildOptions) => {
      const spec: ImageSpec = {
        manufacturerCode: parseImageField(opts.manufacturer, 0xffff, 'manufacturer code'),
        imageType: parseImageField(opts.imageType, 0xffff, 'image type'),
        fileVersion: parseFirmwareVersion(opts.version),
        payload: readBytes(payloadFile, 'payload'),
      };
      if (opts.hwMin !== undefined) spec.minHardwareVersion = parseImageField(opts.hwMin, 0xffff, 'minimum hardware version');
      if (opts.hwMax !== undefined) spec.maxHardwareVersion = parseImageField(opts.hwMax, 0xffff, 'maximum hardware version');
      if (opts.upgradeableFrom !== undefined) {
        spec.upgradeableFrom = opts.upgradeableFrom.split(',').filter((v) => v.trim() !== '').map((v) => parseFirmwareVersion(v.trim()));
      }
      if (opts.stackVersion !== undefined) spec.stackVersion = parseImageField(opts.stackVersion, 0xffff, 'stack version');
      if (opts.headerString !== undefined) spec.headerString = opts.headerString;
      const bytes = buildImage(spec, readText(opts.key, 'private key'));
      const out = opts.out ?? `${payloadFile}.ota`;
      writeBytes(out, bytes);
      const rows = summary(describeImage(parseImage(bytes))).filter(([k]) => k !== 'Header' && k !== 'Signature');
      process.stdout.write(`Built ${path.basename(out)}\n${table([['File', out], ...rows])}`);
    });

  image
    .command('inspect')
    .description('Show what a manufacturer image contains (does not check the signature)')
    .argument('<file>', 'image file')
    .option('--json', 'print one JSON object')
    .action((file: string, opts: { json?: boolean }) => {
      const d = describeImage(parseImage(readBytes(file, 'image')));
      process.stdout.write(opts.json ? `${JSON.stringify(d, null, 2)}\n` : table(summary(d)));
    });

  image
    .command('verify')
    .description("Check an image's signature against trusted manufacturer public keys")
    .argument('<file>', 'image file')
    .requiredOption('--pubkey <file>', 'trusted manufacturer public key (PEM); repeat for several', collect, [])
    .action((file: string, opts: { pubkey: string[] }) => {
      const image = parseImage(readBytes(file, 'image'));
      const keyId = verifyWithTrustedKeys(image, opts.pubkey.map((f) => readText(f, 'public key')));
      process.stdout.write(`OK: signature valid, signed by key ID ${keyId}\nSHA-256 ${image.sha256}\n`);
    });
}
