import { ErrorCode, formatErrorCode } from './codes.ts';

/** Details a caller may need to act on an error, e.g. the offset a device expects next. */
export type ErrorContext = Readonly<Record<string, unknown>>;

/**
 * The one error class of hubflash. `code` is stable and documented in docs/errors.md; the message
 * says what happened and, where it can, what to do about it.
 */
export class HubflashError extends Error {
  override readonly name = 'HubflashError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly context: ErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(`${message} (${formatErrorCode(code)})`, options);
  }

  /** The code's name, e.g. `DeviceWrongOffset`. */
  get codeName(): string {
    return ErrorCode[this.code] ?? 'Unknown';
  }

  /** A JSON-safe form for results, API replies and logs. */
  toJSON(): { code: string; name: string; message: string; context: ErrorContext } {
    return { code: formatErrorCode(this.code), name: this.codeName, message: this.message, context: this.context };
  }
}

export function isHubflashError(err: unknown, code?: ErrorCode): err is HubflashError {
  return err instanceof HubflashError && (code === undefined || err.code === code);
}
