import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import { makeSscc } from '../../../protocol/ids/index.ts';
import type { BatchOp, Store } from '../../storage/Store.ts';
import { counterKey } from '../orders/keys.ts';

const SSCC_COUNTER = counterKey('sscc-serial');

/**
 * Hands out SSCCs from the configured GS1 company prefix and a persisted serial counter. A
 * reservation reads the counter, hands out serials in memory, and yields the op that moves the
 * counter past them: the caller writes that op in the same batch as the ASN, so a serial is
 * either used by a stored ASN or never seen. Serials are never reused (cancels included).
 * Callers serialise reservations (one ASN operation at a time).
 */
export class SsccAllocator {
  constructor(
    private readonly store: Store,
    private readonly companyPrefix: string,
    private readonly extensionDigit: number,
  ) {}

  async reserve(): Promise<SsccReservation> {
    const stored = await this.store.get(SSCC_COUNTER);
    return new SsccReservation(this.companyPrefix, this.extensionDigit, stored === undefined ? 0 : Number(stored));
  }
}

export class SsccReservation {
  private next: number;
  readonly used: string[] = [];
  private readonly maxSerial: number;

  constructor(
    private readonly companyPrefix: string,
    private readonly extensionDigit: number,
    private readonly lastUsed: number,
  ) {
    this.next = lastUsed + 1;
    // Body: extension digit + prefix + serial = 17 digits.
    this.maxSerial = 10 ** (16 - companyPrefix.length) - 1;
  }

  take = (): string => {
    if (this.next > this.maxSerial) {
      throw new HubflashError(
        ErrorCode.SsccSerialExhausted,
        `No SSCC serial references are left under GS1 company prefix ${this.companyPrefix} (extension digit ${this.extensionDigit}): configure another extension digit or company prefix`,
        { companyPrefix: this.companyPrefix, extensionDigit: this.extensionDigit },
      );
    }
    const sscc = makeSscc(this.extensionDigit, this.companyPrefix, this.next++);
    this.used.push(sscc);
    return sscc;
  };

  /** The op that records these serials as used; nothing when none was taken. */
  counterOps(): BatchOp[] {
    const last = this.next - 1;
    return last === this.lastUsed ? [] : [{ type: 'put', key: SSCC_COUNTER, value: String(last) }];
  }
}
