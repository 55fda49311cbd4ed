/** Counters the ingest keeps, served by GET /api/v1/ingest. */
export class IngestStats {
  readonly received: Record<string, number> = {};
  invalid = 0;
  readonly invalidByRig: Record<string, number> = {};
  refused = { connect: 0, publish: 0, subscribe: 0 };
  results = { stored: 0, duplicates: 0, refused: 0, acknowledged: 0, groups: 0 };

  countReceived(kind: string): void {
    this.received[kind] = (this.received[kind] ?? 0) + 1;
  }

  countInvalid(rigId: string): void {
    this.invalid++;
    this.invalidByRig[rigId] = (this.invalidByRig[rigId] ?? 0) + 1;
  }

  snapshot(): object {
    return structuredClone({ received: this.received, invalid: this.invalid, invalidByRig: this.invalidByRig, refused: this.refused, results: this.results });
  }
}
