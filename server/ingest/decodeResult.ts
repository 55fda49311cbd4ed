import { decodeResult, MAX_MESSAGE_BYTES, resultMessage, type ResultMessage } from '../../protocol/mqtt/index.ts';
import { compileSchema, FAIL } from './compiledSchema.ts';

const parse = compileSchema(resultMessage);

/**
 * `decodeResult` on the hot path: JSON.parse and the schema compiled from `resultMessage`;
 * anything they do not accept goes through `decodeResult` itself, which gives the verdict and
 * the error. Returns the text too (results are stored as the rig sent them).
 */
export function decodeResultPayload(payload: Buffer): { result: ResultMessage; text: string } {
  const text = payload.toString('utf8');
  if (parse && payload.byteLength <= MAX_MESSAGE_BYTES) {
    let json: unknown = FAIL;
    try {
      json = JSON.parse(text);
    } catch {
      // decodeResult reports it
    }
    const result = json === FAIL ? FAIL : parse(json);
    if (result !== FAIL) return { result: result as ResultMessage, text };
  }
  return { result: decodeResult(text), text };
}
