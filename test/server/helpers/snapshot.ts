import { Readable } from 'node:stream';

/** Deterministic SMI snapshot rows for tests and the bench: hub i has CHF ID 00-DB-…(2i). */
export const CSV_HEADER = 'chfId,gpfId,manufacturer,manufacturerCode,model,hardwareVersion,hanVariant,chtsVersion,gbcsVersion,region,connectivity,smiStatus,firmwareVersion';

const STATUSES = ['Whitelisted', 'Pending', 'Decommissioned', 'Withdrawn', 'Suspended', 'InstalledNotCommissioned', 'Commissioned'];
const REGIONS = ['North', 'Central', 'South'];
const MODELS = ['EDMI-CH2', 'TOSH-CH1', 'WNC-CH3'];
const VERSIONS = ['01260300', '01250700', '02000100'];

export function hubId(i: number, gpf = false): string {
  const n = BigInt(i) * 2n + (gpf ? 1n : 0n) + 0x00db_0000_0000_0000n;
  return n.toString(16).toUpperCase().padStart(16, '0').match(/../g)!.join('-');
}

export interface SampleHub {
  chfId: string;
  gpfId: string;
  manufacturer: string;
  manufacturerCode: string;
  model: string;
  hardwareVersion: string;
  hanVariant: string;
  chtsVersion: string;
  gbcsVersion: string;
  region: string;
  connectivity: string;
  smiStatus: string;
  firmwareVersion: string;
}

export function sampleHub(i: number): SampleHub {
  return {
    chfId: hubId(i),
    gpfId: hubId(i, true),
    manufacturer: 'EDMI',
    manufacturerCode: '121D',
    model: MODELS[i % 3]!,
    hardwareVersion: '1111',
    hanVariant: i % 2 === 0 ? 'DualBand' : 'SingleBand',
    chtsVersion: '1.1',
    gbcsVersion: '3.2',
    region: REGIONS[i % 3 === 0 ? 0 : i % 5 === 0 ? 2 : 1]!,
    connectivity: i % 4 === 0 ? '4G' : '2G/3G',
    smiStatus: STATUSES[i % 7]!,
    firmwareVersion: VERSIONS[i % 3]!,
  };
}

export function csvLine(h: SampleHub): string {
  return [h.chfId, h.gpfId, h.manufacturer, h.manufacturerCode, h.model, h.hardwareVersion, h.hanVariant, h.chtsVersion, h.gbcsVersion, h.region, h.connectivity, h.smiStatus, h.firmwareVersion].join(',');
}

/** A CSV snapshot of hubs [from, from+count), streamed in chunks (never all in memory). */
export function csvSnapshot(count: number, from = 0, lineOf: (i: number) => string = (i) => csvLine(sampleHub(i))): Readable {
  let i = from;
  let headerSent = false;
  return new Readable({
    read() {
      const lines: string[] = [];
      if (!headerSent) {
        lines.push(CSV_HEADER);
        headerSent = true;
      }
      for (let k = 0; k < 1000 && i < from + count; k++, i++) lines.push(lineOf(i));
      if (lines.length) this.push(`${lines.join('\n')}\n`);
      if (i >= from + count) this.push(null);
    },
  });
}
