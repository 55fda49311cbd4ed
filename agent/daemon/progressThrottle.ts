/**
 * Live progress goes to the server at most every `intervalMs` per hub, and at once when a hub
 * changes phase, so a control room sees every phase without a flood of QoS 0 messages.
 */
export class ProgressThrottle {
  private readonly last = new Map<string, { at: number; phase: string }>();

  constructor(private readonly intervalMs: number) {}

  due(key: string, phase: string, now = Date.now()): boolean {
    const prev = this.last.get(key);
    if (prev && prev.phase === phase && now - prev.at < this.intervalMs) return false;
    this.last.set(key, { at: now, phase });
    return true;
  }
}
