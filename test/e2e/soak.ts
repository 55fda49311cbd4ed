/**
 * `npm run soak`: the whole system under chaos, round after round, for as long as asked. Each
 * round is the end-to-end world (a real `hubflash server` and `hubflash agent` as child
 * processes, 8 simulated hubs on pseudo-terminals, a return order) with the server and the agent
 * killed at random moments (SIGKILL, or SIGTERM for the agent) and restarted after a random
 * pause. A round passes when the order settles as it would without the chaos and no result is
 * lost or doubled (the checks of test/e2e/checks.ts). Exits 1 at the first round that fails.
 *
 *   npm run soak -- --minutes 30
 *   npm run soak -- --rounds 5 --seed 7 --keep     (--keep: every round's folder stays, with its logs)
 */
import { parseArgs } from 'node:util';
import { SystemUnderTest } from './harness.ts';
import { orderProblems } from './expected.ts';
import { everyResultOnce } from './ledger.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rounds: { type: 'string' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    kills: { type: 'string', default: '6' },
    keep: { type: 'boolean', default: false },
  },
});
const deadline = Date.now() + Number(values.minutes) * 60_000;
const maxRounds = values.rounds === undefined ? Infinity : Number(values.rounds);
const maxKills = Number(values.kills);

// A small seeded generator, so a failing round can be run again with the same chaos.
let state = Number(values.seed) >>> 0 || 1;
const random = (): number => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 0x1_0000_0000;
};
const between = (lo: number, hi: number): number => lo + random() * (hi - lo);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Chaos {
  serverKills: number;
  agentKills: number;
  agentStops: number;
}

/** Kills and restarts the server and the agent at random until the order settles or the budget is spent. */
async function chaos(sut: SystemUnderTest, settled: () => boolean): Promise<Chaos> {
  const done: Chaos = { serverKills: 0, agentKills: 0, agentStops: 0 };
  for (let i = 0; i < maxKills && !settled(); i++) {
    await sleep(between(300, 3000));
    if (settled()) break;
    const pick = random();
    if (pick < 0.4) {
      await sut.stopServer('SIGKILL');
      done.serverKills++;
      await sleep(between(100, 2500));
      await sut.startServer();
    } else {
      const signal = pick < 0.8 ? 'SIGKILL' : 'SIGTERM';
      await sut.stopAgent('RIG-01', signal);
      if (signal === 'SIGKILL') done.agentKills++;
      else done.agentStops++;
      await sleep(between(100, 1500));
      sut.startAgent('RIG-01');
    }
  }
  return done;
}

async function round(n: number): Promise<boolean> {
  const started = Date.now();
  const sut = new SystemUnderTest({ hubs: 8, payloadBytes: 96 * 1024 });
  let ok = false;
  try {
    await sut.setUp({ rigs: ['RIG-01'], baud: 921_600 });
    sut.startAgent('RIG-01');
    let isSettled = false;
    const settledAt = sut.orderSettled(300_000).then((p) => {
      isSettled = true;
      return p;
    });
    const done = await chaos(sut, () => isSettled);
    const progress = await settledAt;
    const problems = orderProblems(progress);
    const ledger = await everyResultOnce(sut, ['RIG-01']);
    problems.push(...ledger.problems);
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    process.stdout.write(
      `round ${n}: ${done.serverKills} server kills, ${done.agentKills} agent kills, ${done.agentStops} agent stops; ` +
        `${progress.verified ?? 0} verified, ${progress.ineligible ?? 0} ineligible; ${ledger.stored} results stored, ${ledger.lost} lost, ${ledger.doubled} doubled; ${seconds} s` +
        `${problems.length ? `\n  FAILED: ${problems.join('; ')}` : ''}${problems.length || values.keep ? `\n  kept for inspection: ${sut.dir}` : ''}\n`,
    );
    ok = problems.length === 0;
    return ok;
  } catch (err) {
    process.stdout.write(`round ${n}: FAILED: ${err instanceof Error ? err.message : String(err)}\n  kept for inspection: ${sut.dir}\n`);
    return false;
  } finally {
    await sut.tearDown({ keep: !ok || values.keep });
  }
}

process.stdout.write(`soak: seed ${values.seed}, up to ${values.minutes} min${Number.isFinite(maxRounds) ? ` or ${maxRounds} rounds` : ''}, up to ${maxKills} kills a round\n`);
let passed = 0;
let failed = 0;
for (let n = 1; n <= maxRounds && Date.now() < deadline; n++) {
  if (await round(n)) passed++;
  else {
    failed++;
    break;
  }
}
process.stdout.write(`soak: ${passed} rounds passed, ${failed} failed\n`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
