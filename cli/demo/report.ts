import { formatFirmwareVersionDotted, parseFirmwareVersion } from '../../protocol/ids/index.ts';
import { formatTable } from '../../server/client/options.ts';
import type { DemoWorld } from './world.ts';

/** What happened to one hub, as the demo collects it from the rig agent. */
export interface HubOutcome {
  chfId: string;
  port: string;
  outcome: string;
  from?: string;
  to?: string;
  resumes: number;
  bytesResent: number;
  seconds?: number;
  error?: { code: string; message: string };
}

const dotted = (hex?: string): string => (hex ? formatFirmwareVersionDotted(parseFirmwareVersion(hex)) : '-');

export function outcomeTable(world: DemoWorld, outcomes: Map<string, HubOutcome>): string {
  const rows = world.hubs.map((h) => {
    const o = outcomes.get(h.identity.chfId);
    return [
      h.identity.chfId,
      h.identity.model,
      o ? (o.to ? `${dotted(o.from)} → ${dotted(o.to)}` : `${dotted(o.from)} (kept)`) : '-',
      o?.outcome ?? 'no result',
      o ? String(o.resumes) : '-',
      o?.seconds !== undefined ? o.seconds.toFixed(1) : '-',
      o?.error ? `${o.error.code} ${firstSentence(o.error.message)}` : '',
      h.note,
    ];
  });
  return formatTable(['hub (CHF ID)', 'model', 'firmware', 'outcome', 'resumes', 'secs', 'error', 'scenario'], rows);
}

export function reconciliationTable(items: Array<{ kind: string; chfId: string; detail: string; action: string }>): string {
  if (items.length === 0) return 'No disagreements between the rigs and the inventory.\n';
  return items.map((i) => `  ${i.chfId}  ${i.kind}\n    ${i.detail}\n    next: ${i.action}\n`).join('');
}

export function chargesTable(report: { lines: Array<{ chfId: string; hanVariant: string; serviceLine: string; pence: number; regulatoryYear: string; placeholder: boolean }>; totals: { hubs: number; pence: number } }): string {
  const byKey = new Map<string, { n: number; pence: number; unit: number; placeholder: boolean }>();
  for (const l of report.lines) {
    const key = `${l.regulatoryYear}  ${l.serviceLine}  ${l.hanVariant}`;
    const row = byKey.get(key) ?? { n: 0, pence: 0, unit: l.pence, placeholder: l.placeholder };
    row.n += 1;
    row.pence += l.pence;
    byKey.set(key, row);
  }
  const rows = [...byKey].map(([key, r]) => [key, String(r.n), pounds(r.unit) + (r.placeholder ? ' (placeholder tariff)' : ''), pounds(r.pence)]);
  return formatTable(['regulatory year, service line, HAN variant', 'hubs', 'each', 'total'], rows) + `Total: ${report.totals.hubs} hubs, ${pounds(report.totals.pence)}\n`;
}

export function pounds(pence: number): string {
  return `£${(pence / 100).toFixed(2)}`;
}

function firstSentence(message: string): string {
  const cut = message.replace(/ \(HF\d{4}\)$/, '');
  return cut.length > 70 ? `${cut.slice(0, 67)}…` : cut;
}
