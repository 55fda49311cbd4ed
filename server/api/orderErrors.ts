import { ErrorCode } from '../../protocol/errors/index.ts';

/** HTTP status of the 7xx codes (orders, ASNs, charges, custody): 400 unless listed. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.OrderNotFound]: 404,
  [ErrorCode.AsnNotFound]: 404,
  [ErrorCode.OrderDuplicate]: 409,
  [ErrorCode.SsccDuplicate]: 409,
  [ErrorCode.HubOnLiveOrder]: 409,
  [ErrorCode.OrderNotLive]: 409,
  [ErrorCode.OrderHasLiveAsn]: 409,
  [ErrorCode.AsnNotLive]: 409,
  [ErrorCode.AsnNothingEligible]: 409,
  [ErrorCode.CustodyTransitionInvalid]: 409,
  [ErrorCode.SsccSerialExhausted]: 503,
};

export function orderErrorStatus(code: ErrorCode): number | undefined {
  return code >= 700 && code < 800 ? (STATUS[code] ?? 400) : undefined;
}
