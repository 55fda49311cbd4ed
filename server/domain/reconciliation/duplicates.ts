/**
 * Finds GPF IDs shared by several hubs over a million-hub inventory without a million-entry
 * map: IDs go into 64-bit typed arrays, a sorted copy reveals the repeated values, and one more
 * pass over the arrays collects their hubs.
 */
export class GpfCollector {
  gpfs: BigUint64Array = new BigUint64Array(1 << 16);
  chfs: BigUint64Array = new BigUint64Array(1 << 16);
  size = 0;

  add(gpfId: string, chfId: string): void {
    if (this.size === this.gpfs.length) {
      const grow = (a: BigUint64Array): BigUint64Array => {
        const b = new BigUint64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.gpfs = grow(this.gpfs);
      this.chfs = grow(this.chfs);
    }
    this.gpfs[this.size] = eui64(gpfId);
    this.chfs[this.size] = eui64(chfId);
    this.size++;
  }
}

export function findGpfDuplicates(c: GpfCollector): Array<{ gpfId: string; chfIds: string[] }> {
  const sorted = c.gpfs.slice(0, c.size).sort();
  const repeated = new Set<bigint>();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) repeated.add(sorted[i]!);
  if (repeated.size === 0) return [];
  const groups = new Map<bigint, string[]>();
  for (let i = 0; i < c.size; i++) {
    const g = c.gpfs[i]!;
    if (repeated.has(g)) groups.set(g, [...(groups.get(g) ?? []), formatEui64(c.chfs[i]!)]);
  }
  return [...groups].map(([g, chfIds]) => ({ gpfId: formatEui64(g), chfIds }));
}

function eui64(id: string): bigint {
  return BigInt(`0x${id.replaceAll('-', '')}`);
}

function formatEui64(n: bigint): string {
  return n.toString(16).toUpperCase().padStart(16, '0').match(/../g)!.join('-');
}
