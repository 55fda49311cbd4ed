import { toCsv } from '../reports/csv.ts';
import type { ChargeReport } from './chargeBook.ts';
import { formatPence } from './tariff.ts';

export const CHARGE_CSV_COLUMNS = ['partyId', 'orderId', 'orderReference', 'asnId', 'chfId', 'hanVariant', 'serviceLine', 'regulatoryYear', 'date', 'at', 'pence', 'amount', 'tariffSource', 'placeholder'] as const;

export function chargesToCsv(report: ChargeReport): string {
  return toCsv(CHARGE_CSV_COLUMNS, report.lines, (l) => [
    l.partyId, l.orderId, l.orderReference, l.asnId, l.chfId, l.hanVariant, l.serviceLine, l.regulatoryYear, l.date, l.at, l.pence, formatPence(l.pence), l.tariffSource, l.placeholder,
  ]);
}
