import { ErrorCode, HubflashError } from '../errors/index.ts';

/**
 * SSCCs (pallets and cartons): 18 digits, the last a GS1 mod-10 check digit over the 17-digit body.
 * Layout: extension digit, GS1 company prefix (7-10 digits), serial reference, check digit.
 */
const SSCC_LENGTH = 18;
const BODY_LENGTH = SSCC_LENGTH - 1;

function invalid(reason: string, value: unknown): HubflashError {
  return new HubflashError(ErrorCode.InvalidSscc, reason, { value });
}

function describe(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

/** GS1 check digit: from the rightmost body digit weights 3,1,3,1…; check = (10 - sum % 10) % 10. */
export function ssccCheckDigit(body17: string): number {
  if (typeof body17 !== 'string' || !/^\d{17}$/.test(body17)) {
    throw invalid(`An SSCC body is ${BODY_LENGTH} digits, got ${typeof body17 === 'string' ? describe(body17) : typeof body17}`, body17);
  }
  let sum = 0;
  for (let i = 0; i < BODY_LENGTH; i++) {
    const digit = body17.charCodeAt(BODY_LENGTH - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** Returns the SSCC unchanged when valid; otherwise InvalidSscc naming the reason. */
export function validateSscc(s: string): string {
  if (typeof s !== 'string') throw invalid(`An SSCC must be text, got ${typeof s}`, s);
  if (s.length !== SSCC_LENGTH) {
    throw invalid(`SSCC ${describe(s)} has ${s.length} characters; an SSCC is exactly ${SSCC_LENGTH} digits`, s);
  }
  const bad = s.search(/\D/);
  if (bad >= 0) {
    throw invalid(`SSCC ${describe(s)} has a non-digit ${JSON.stringify(s[bad])} at position ${bad + 1}`, s);
  }
  const expected = ssccCheckDigit(s.slice(0, BODY_LENGTH));
  if (Number(s[BODY_LENGTH]) !== expected) {
    throw invalid(`SSCC ${s} has check digit ${s[BODY_LENGTH]}, expected ${expected}`, s);
  }
  return s;
}

export function isValidSscc(s: unknown): s is string {
  try {
    validateSscc(s as string);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds an SSCC from its parts: the serial reference is zero-padded so that the body is 17
 * digits; a serial that needs more digits than the company prefix leaves is refused.
 */
export function makeSscc(extensionDigit: number | string, companyPrefix: string, serialReference: number | bigint | string): string {
  const ext = String(extensionDigit);
  if (!/^\d$/.test(ext)) throw invalid(`SSCC extension digit must be 0-9, got ${describe(ext)}`, extensionDigit);
  if (typeof companyPrefix !== 'string' || !/^\d{7,10}$/.test(companyPrefix)) {
    throw invalid(`GS1 company prefix must be 7 to 10 digits, got ${describe(String(companyPrefix))}`, companyPrefix);
  }
  const serial = serialText(serialReference);
  const room = BODY_LENGTH - 1 - companyPrefix.length;
  if (serial.length > room) {
    throw invalid(
      `Serial reference ${serial} does not fit: with a ${companyPrefix.length}-digit company prefix it may have at most ${room} digits`,
      serialReference,
    );
  }
  const body = ext + companyPrefix + serial.padStart(room, '0');
  return body + String(ssccCheckDigit(body));
}

function serialText(serial: number | bigint | string): string {
  if (typeof serial === 'number' && Number.isSafeInteger(serial) && serial >= 0) return String(serial);
  if (typeof serial === 'bigint' && serial >= 0n) return serial.toString();
  if (typeof serial === 'string' && /^\d+$/.test(serial)) return serial.replace(/^0+(?=\d)/, '');
  throw invalid(`Serial reference must be a non-negative whole number, got ${describe(String(serial))}`, String(serial));
}
