/** The kinds of disagreement reconciliation finds, with what to do about each. */
export const EXCEPTION_KINDS = {
  'unknown-hub': 'Find the hub: import the SMI snapshot that lists it, or set it aside and send it back',
  'status-forbids-flashing': 'Set the hub aside: it is installed according to the SMI or to the hub itself. Check the SMI record and the hub',
  'model-mismatch': 'Check the hub against the SMI record; correct the SMI or set the hub aside',
  'variant-mismatch': 'Check the HAN variant label against the SMI record; correct the SMI or set the hub aside',
  'hardware-mismatch': 'Check the hub against the SMI record (manufacturer, hardware version); correct the SMI or set the hub aside',
  'firmware-mismatch': 'Read the hub again on a rig; if the rig is right, the inventory will follow its next verified result',
  'duplicate-id': 'Two devices claim one ID: quarantine both hubs and report them to the manufacturer',
  'flashed-not-on-asn': 'Issue an ASN for the order (hubflash asn issue ORDER), or flash it again if it is not at the target',
  'on-asn-not-verified': 'Replace the ASN without the hub (hubflash asn replace ASN --remove HUB) and flash it again',
} as const;

export type ExceptionKind = keyof typeof EXCEPTION_KINDS;

export interface ReconciliationItem {
  kind: ExceptionKind;
  chfId: string;
  /** What disagrees, in words, with both sides. */
  detail: string;
  /** What to do next. */
  action: string;
  orderId?: string;
  asnId?: string;
  rigId?: string;
}

export interface ReconciliationReport {
  at: string;
  hubsChecked: number;
  readingsChecked: number;
  counts: Record<ExceptionKind, number>;
  /** Up to the limit asked for, in CHF ID order. */
  items: ReconciliationItem[];
  truncated: boolean;
  elapsedMs: number;
}
