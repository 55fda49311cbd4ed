import { z } from 'zod';
import { isCanonicalDeviceId, isDeviceId, parseDeviceId } from '../ids/index.ts';
import { RIG_ID_PATTERN } from './topics.ts';

/** Field schemas shared by the message schemas. Inputs are normalised to the canonical form. */

export const MESSAGE_VERSION = 1 as const;
export const version = z.literal(MESSAGE_VERSION);

export const rigId = z.string().regex(RIG_ID_PATTERN, 'not a rig ID');

/** EUI-64 in any accepted spelling, normalised to `00-DB-12-34-56-78-90-A0` (one check when already canonical). */
export const deviceId = z.string().transform((s, ctx) => {
  if (isCanonicalDeviceId(s)) return s;
  if (isDeviceId(s)) return parseDeviceId(s);
  ctx.issues.push({ code: 'custom', message: 'expected an EUI-64 such as 00-DB-12-34-56-78-90-A0', input: s });
  return z.NEVER;
});

/** DUIS form: 8 hex digits, normalised to upper case. */
export const firmwareVersion = z
  .string()
  .regex(/^[0-9A-Fa-f]{8}$/, 'expected 8 hex digits')
  .transform((s) => s.toUpperCase());

/** SHA-256 of a whole manufacturer image, normalised to lower case. */
export const firmwareHash = z
  .string()
  .regex(/^[0-9A-Fa-f]{64}$/, 'expected 64 hex digits')
  .transform((s) => s.toLowerCase());

export const timestamp = z.iso.datetime({ offset: true });
export const count = z.int().nonnegative();
export const u16 = z.int().min(0).max(0xffff);

/** An error as a JSON result carries it: `HubflashError.toJSON()` without its context. */
export const errorSummary = z.object({
  code: z.string().regex(/^HF\d{4}$/, "expected a code such as 'HF0301'"),
  name: z.string().min(1).max(100),
  message: z.string().max(2000),
});
export type ErrorSummary = z.infer<typeof errorSummary>;
