// Run by outbox.test.ts in a child process: adds COUNT results to the outbox at argv[2] and prints
// each result ID once `add` has resolved, so the parent can SIGKILL it at any point.
import { randomUUID } from 'node:crypto';
import { ResultOutbox } from '../../../agent/daemon/outbox.ts';
import { sampleResult } from '../../protocol/mqtt/fixtures.ts';

const [location, count] = [process.argv[2]!, Number(process.argv[3] ?? 1000)];
const outbox = await ResultOutbox.open(location);
process.stdout.write('open\n');
for (let i = 0; i < count; i++) {
  const result = sampleResult({ resultId: randomUUID() });
  await outbox.add(result);
  process.stdout.write(`${result.resultId}\n`);
}
await outbox.close();
process.stdout.write('done\n');
