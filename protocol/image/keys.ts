import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { ErrorCode, HubflashError } from '../errors/index.ts';
import { KEY_ID_LENGTH } from './constants.ts';

/** Manufacturer signing keys: ECDSA on P-256 only, given as KeyObjects or PEM text. */
export type KeyInput = KeyObject | string;

const CURVE = 'prime256v1';

function badKey(message: string, cause?: unknown): HubflashError {
  return new HubflashError(ErrorCode.ImageBadKey, message, {}, cause === undefined ? undefined : { cause });
}

function requireP256(key: KeyObject, role: string): KeyObject {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== CURVE) {
    const kind = key.asymmetricKeyType === 'ec' ? `EC ${key.asymmetricKeyDetails?.namedCurve ?? '?'}` : (key.asymmetricKeyType ?? key.type);
    throw badKey(`The ${role} key is ${kind}; manufacturer images are signed with ECDSA P-256 (prime256v1) keys`);
  }
  return key;
}

/** A P-256 public key; a private key given here stands for its public half. */
export function loadPublicKey(input: KeyInput): KeyObject {
  let key: KeyObject;
  try {
    key = input instanceof KeyObject && input.type === 'public' ? input : createPublicKey(readable(input));
  } catch (err) {
    throw badKey('The public key could not be read: expected a PEM public key (SPKI) for ECDSA P-256', err);
  }
  return requireP256(key, 'public');
}

export function loadPrivateKey(input: KeyInput): KeyObject {
  if (input instanceof KeyObject && input.type !== 'private') throw badKey('A private key is needed to sign an image');
  let key: KeyObject;
  try {
    key = input instanceof KeyObject ? input : createPrivateKey(pemText(input));
  } catch (err) {
    throw badKey('The private key could not be read: expected a PEM private key for ECDSA P-256', err);
  }
  return requireP256(key, 'private');
}

function pemText(input: unknown): string {
  if (typeof input === 'string') return input;
  throw new TypeError(`not PEM text: ${typeof input}`);
}

/** Only PEM text or KeyObjects: anything else (e.g. JSON-parsed junk) is refused before node:crypto sees it. */
function readable(input: unknown): string | KeyObject {
  if (typeof input === 'string' || input instanceof KeyObject) return input;
  throw new TypeError(`not a key: ${typeof input}`);
}

/** First 8 bytes of SHA-256 over the public key's SPKI DER, as lower-case hex. */
export function keyIdOf(publicKey: KeyInput): string {
  const der = loadPublicKey(publicKey).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest().subarray(0, KEY_ID_LENGTH).toString('hex');
}

export function generateManufacturerKeyPair(): { privateKeyPem: string; publicKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: CURVE });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}
