import { readdirSync, readFileSync } from 'node:fs';

/** CPU per result by OS thread of this process, µs. */
export interface ThreadCpu {
  total: number;
  /** This (JavaScript) thread. */
  main: number;
  /** The other threads, busiest first (LevelDB's compaction thread, the libuv pool, V8's helpers). */
  others: number[];
  describe(): string;
}

/** Linux: user + system clock ticks of each thread of this process, by thread ID. */
function ticks(): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // the thread ended
    }
  }
  return out;
}

const TICK_US = 10_000; // USER_HZ is 100 on Linux

/** Starts counting; `since(n)` gives CPU per each of `n` results from then. */
export function threadCpu(): { since(n: number): ThreadCpu } {
  const before = ticks();
  const cpu0 = process.cpuUsage();
  return {
    since(n) {
      const after = ticks();
      const cpu = process.cpuUsage(cpu0);
      const per = (t: number): number => (t * TICK_US) / n;
      const main = per((after.get(String(process.pid)) ?? 0) - (before.get(String(process.pid)) ?? 0));
      const others = [...after]
        .filter(([tid]) => tid !== String(process.pid))
        .map(([tid, t]) => per(t - (before.get(tid) ?? 0)))
        .filter((us) => us > 0)
        .sort((a, b) => b - a);
      const total = (cpu.user + cpu.system) / n;
      return {
        total,
        main,
        others,
        describe: () =>
          after.size === 0
            ? '(per-thread figures need Linux /proc)'
            : `this thread ${main.toFixed(0)}, busiest other thread (LevelDB compaction) ${(others[0] ?? 0).toFixed(0)}, the other ${others.length - 1} (libuv pool, V8 helpers) ${others.slice(1).reduce((a, b) => a + b, 0).toFixed(0)}`,
      };
    },
  };
}
