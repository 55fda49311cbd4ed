import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { checkRow, REQUIRED_COLUMNS, type RowInput } from '../../../server/domain/import/rows.ts';
import { importRows, type ImportFormat, type SourceItem } from '../../../server/domain/import/sources.ts';
import { CSV_HEADER, csvLine, hubId, sampleHub } from '../helpers/snapshot.ts';

const base: RowInput = { chfId: hubId(1), smiStatus: 'Whitelisted', region: 'North', hanVariant: 'DualBand' };
const ok = (patch: RowInput) => {
  const r = checkRow({ ...base, ...patch });
  if (!r.ok) throw new Error(`expected the row to pass, got: ${r.reason}`);
  return r.row as unknown as Record<string, unknown>;
};
const reason = (patch: RowInput): string => {
  const r = checkRow({ ...base, ...patch });
  if (r.ok) throw new Error(`expected the row to fail: ${JSON.stringify(patch)}`);
  return r.reason;
};

async function items(text: string | string[], format: ImportFormat): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of importRows(Readable.from(Array.isArray(text) ? text : [text]), format)) out.push(item);
  return out;
}
const unreadable = (text: string | string[], format: ImportFormat) =>
  items(text, format).then(
    () => expect.unreachable('expected ImportUnreadable'),
    (err: unknown) => expect(isHubflashError(err, ErrorCode.ImportUnreadable), String(err)).toBe(true),
  );

describe('checkRow', () => {
  it('refuses a row that lacks a required column, or has it empty, naming the column', () => {
    for (const field of REQUIRED_COLUMNS) {
      for (const missing of [undefined, '', '   ']) expect(reason({ [field]: missing })).toBe(`${field} is missing`);
    }
  });

  it('takes empty optional fields as absent and trims what it keeps', () => {
    const row = ok({ gpfId: '', model: '  EDMI-CH2 ', manufacturerCode: ' ', chtsVersion: ' 1.1 ', firmwareHash: '' });
    expect(row).toEqual({ ...base, model: 'EDMI-CH2', chtsVersion: '1.1' });
  });

  it('reads vocabularies whatever the case, spaces or underscores', () => {
    expect(ok({ hanVariant: 'single band', smiStatus: 'installed_not_commissioned', region: 'SOUTH', connectivity: '2g/3g', custody: 'AT-CSP' })).toMatchObject({
      hanVariant: 'SingleBand',
      smiStatus: 'InstalledNotCommissioned',
      region: 'South',
      connectivity: '2G/3G',
      custody: 'at-csp',
    });
    expect(reason({ custody: 'lost' })).toMatch(/^custody "lost" is not one of with-user, /);
  });

  it('takes a label of up to 64 printable characters', () => {
    expect(ok({ manufacturer: 'x'.repeat(64) }).manufacturer).toBe('x'.repeat(64));
    for (const bad of ['x'.repeat(65), 'EDMI\tCH2', 'EDMI\x7f']) expect(reason({ model: bad })).toBe('model must be at most 64 printable characters');
  });

  it('reads 16-bit values as 1-4 hex digits with an optional 0x, or a JSON number up to 65535', () => {
    expect(ok({ manufacturerCode: '0x121D', hardwareVersion: 'ffff' })).toMatchObject({ manufacturerCode: 0x121d, hardwareVersion: 0xffff });
    expect(ok({ manufacturerCode: 65535, hardwareVersion: 0 })).toMatchObject({ manufacturerCode: 65535, hardwareVersion: 0 });
    for (const bad of [65536, -1, 1.5]) expect(reason({ hardwareVersion: bad })).toBe(`hardwareVersion ${bad} is not 0-65535`);
    for (const bad of ['12345', '0x', '0x12345', 'G1']) expect(reason({ manufacturerCode: bad })).toMatch(/^manufacturerCode .* is not 1-4 hex digits$/);
  });

  it('reads CHTS and GBCS versions of one to four numbers', () => {
    for (const v of ['2', '1.1', '3.2.1', '1.2.3.4']) expect(ok({ gbcsVersion: v }).gbcsVersion).toBe(v);
    for (const v of ['1.2.3.4.5', '1.1a', 'v1.1', '1..1']) expect(reason({ chtsVersion: v })).toMatch(/^chtsVersion .* is not a version such as 1\.1$/);
  });

  it('stores IDs, firmware versions and hashes in their canonical form', () => {
    const hash = 'AB'.repeat(32);
    expect(ok({ chfId: '00db000000000002', gpfId: '00:db:00:00:00:00:00:03', firmwareVersion: '1.38.3', firmwareHash: hash })).toMatchObject({
      chfId: '00-DB-00-00-00-00-00-02',
      gpfId: '00-DB-00-00-00-00-00-03',
      firmwareVersion: '01260300',
      firmwareHash: hash.toLowerCase(),
    });
    expect(ok({ firmwareVersion: '0x0126030A' }).firmwareVersion).toBe('0126030A');
    expect(reason({ gpfId: 'GPF-1' })).toMatch(/^gpfId: Invalid device ID/);
    expect(reason({ firmwareHash: 'ab'.repeat(31) })).toMatch(/^firmwareHash: Invalid firmware hash/);
  });

  it('refuses a firmware hash without its version, rather than dropping it without a word', () => {
    expect(reason({ firmwareHash: 'ab'.repeat(32) })).toBe('firmwareHash is given without firmwareVersion: give both, or neither');
    expect(ok({ firmwareVersion: '1.38.3' })).not.toHaveProperty('firmwareHash');
  });
});

describe('CSV rows', () => {
  it('skips a byte-order mark, blank lines and spaces around commas, keeping line numbers', async () => {
    const header = CSV_HEADER.split(',').join(' , ');
    const text = `\uFEFF${header}\r\n\r\n${csvLine(sampleHub(0))}\r\n   \r\n${csvLine(sampleHub(1)).split(',').join(', ')}\r\n`;
    const got = await items(text, 'csv');
    expect(got.map((i) => i.line)).toEqual([3, 5]);
    for (const [k, item] of got.entries()) {
      expect('row' in item && checkRow(item.row)).toMatchObject({ ok: true, row: { chfId: hubId(k), model: sampleHub(k).model } });
    }
  });
});

describe('JSON rows', () => {
  const row = (i: number, extra: Record<string, unknown> = {}) => JSON.stringify({ ...sampleHub(i), ...extra });

  it('keeps braces, brackets and escaped quotes inside strings and nested values within their object', async () => {
    const tricky = { note: 'a } b { c ] [', quote: 'say "}" then \\', nested: { list: [1, { deep: '}' }], empty: [] } };
    const text = `[${row(0, tricky)},\n${row(1)}]`;
    const got = await items([text.slice(0, 40), text.slice(40)], 'json');
    expect(got).toEqual([
      { line: 1, row: { ...sampleHub(0), ...tricky } },
      { line: 2, row: sampleHub(1) },
    ]);
  });

  it('reads JSON Lines behind a byte-order mark', async () => {
    expect((await items(`\uFEFF${row(0)}\n${row(1)}\n`, 'json')).map((i) => i.line)).toEqual([1, 2]);
  });

  it('reports an object that is not valid JSON by its line and reads on', async () => {
    const got = await items(`${row(0)}\n{"chfId": "${hubId(1)}",}\n${row(2)}\n`, 'json');
    expect(got.map((i) => i.line)).toEqual([1, 2, 3]);
    expect(got[1]).toEqual({ line: 2, error: expect.stringMatching(/^not valid JSON: /) });
    expect(got[2]).toEqual({ line: 3, row: sampleHub(2) });
  });

  it('reports an object the file ends inside by the line it started on', async () => {
    const got = await items(`${row(0)}\n\n{"chfId": "${hubId(1)}",\n"region": "No`, 'json');
    expect(got).toEqual([
      { line: 1, row: sampleHub(0) },
      { line: 3, error: 'the file ends inside this object' },
    ]);
  });

  it('refuses a file that is neither one array of objects nor JSON Lines', async () => {
    await unreadable(`[${row(0)},\n${row(1)}\n`, 'json'); // no closing ]
    await unreadable(`[${row(0)}]\n${row(1)}\n`, 'json'); // an object after the array
    await unreadable(`[${row(0)}]\n[${row(1)}]\n`, 'json'); // a second array
    await unreadable(`${row(0)}\n[${row(1)}]\n`, 'json'); // an array after JSON Lines
    await unreadable(`${row(0)},\n${row(1)}\n`, 'json'); // commas between JSON Lines
  });
});
