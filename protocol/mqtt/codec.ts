import type { z } from 'zod';
import { ErrorCode, HubflashError } from '../errors/index.ts';
import {
  ackMessage,
  heartbeatMessage,
  progressMessage,
  resultMessage,
  statusMessage,
  type AckMessage,
  type AckMessageInput,
  type HeartbeatMessage,
  type HeartbeatMessageInput,
  type ProgressMessage,
  type ProgressMessageInput,
  type ResultMessage,
  type ResultMessageInput,
  type StatusMessage,
  type StatusMessageInput,
} from './messages.ts';

/** No hubflash message comes near this; a bigger payload is refused before parsing. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

type Payload = Uint8Array | string;

/**
 * Parses and validates one message. Returns the normalised message or throws HubflashError
 * InvalidMessage naming the first problems; never throws anything else.
 */
export function decodeWith<S extends z.ZodType>(schema: S, what: string, payload: Payload): z.output<S> {
  let text: string;
  try {
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload?.byteLength;
    if (typeof size !== 'number') throw new TypeError('not bytes');
    if (size > MAX_MESSAGE_BYTES) {
      throw invalid(`${what} message is ${size} bytes, over the ${MAX_MESSAGE_BYTES}-byte limit`, { size });
    }
    text = typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  } catch (err) {
    if (err instanceof HubflashError) throw err;
    throw invalid(`${what} message payload is not bytes or text`, {});
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid(`${what} message is not JSON`, { sample: text.slice(0, 80) });
  }
  let parsed: ReturnType<S['safeParse']>;
  try {
    parsed = schema.safeParse(json) as ReturnType<S['safeParse']>;
  } catch (err) {
    // A transform threw: treat it as invalid input, whatever it was.
    throw invalid(`${what} message could not be read: ${err instanceof Error ? err.message : String(err)}`, {});
  }
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`);
    throw invalid(`Invalid ${what} message: ${issues.join('; ')}`, { issues });
  }
  return parsed.data as z.output<S>;
}

/** Validates a message before sending; throws InvalidMessage so a bad message never leaves. */
export function encodeWith<S extends z.ZodType>(schema: S, what: string, message: z.input<S>): Buffer {
  let text: string;
  try {
    text = JSON.stringify(message);
  } catch (err) {
    throw invalid(`${what} message cannot be written as JSON: ${err instanceof Error ? err.message : String(err)}`, {});
  }
  decodeWith(schema, what, text);
  return Buffer.from(text);
}

function invalid(message: string, context: Record<string, unknown>): HubflashError {
  return new HubflashError(ErrorCode.InvalidMessage, message, context);
}

export const decodeStatus = (p: Payload): StatusMessage => decodeWith(statusMessage, 'status', p);
export const decodeHeartbeat = (p: Payload): HeartbeatMessage => decodeWith(heartbeatMessage, 'heartbeat', p);
export const decodeProgress = (p: Payload): ProgressMessage => decodeWith(progressMessage, 'progress', p);
export const decodeResult = (p: Payload): ResultMessage => decodeWith(resultMessage, 'result', p);
export const decodeAck = (p: Payload): AckMessage => decodeWith(ackMessage, 'ack', p);

export const encodeStatus = (m: StatusMessageInput): Buffer => encodeWith(statusMessage, 'status', m);
export const encodeHeartbeat = (m: HeartbeatMessageInput): Buffer => encodeWith(heartbeatMessage, 'heartbeat', m);
export const encodeProgress = (m: ProgressMessageInput): Buffer => encodeWith(progressMessage, 'progress', m);
export const encodeResult = (m: ResultMessageInput): Buffer => encodeWith(resultMessage, 'result', m);
export const encodeAck = (m: AckMessageInput): Buffer => encodeWith(ackMessage, 'ack', m);
