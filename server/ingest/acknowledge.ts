import { ackMessage, encodeAck, rigCommandTopic, type AckMessageInput, type ErrorSummary, type ResultMessage } from '../../protocol/mqtt/index.ts';
import { compileSchema, FAIL } from './compiledSchema.ts';
import type { ResultIngestDeps } from './ResultIngest.ts';

const checkAck = compileSchema(ackMessage);

/** encodeAck, checked with the schema compiled from ackMessage; encodeAck itself (which throws) for what that does not accept. */
function encodeAckChecked(message: AckMessageInput): Buffer {
  return checkAck && checkAck(message) !== FAIL ? Buffer.from(JSON.stringify(message)) : encodeAck(message);
}

/**
 * One `cmd/ack` per rig naming every result of that rig in the group (new or duplicate), with
 * the refusals. A result ID first stored from another rig is not this rig's to acknowledge.
 */
export async function acknowledge(
  d: Pick<ResultIngestDeps, 'publish' | 'log' | 'stats'>,
  group: ReadonlyArray<{ rigId: string; result: ResultMessage }>,
  owner: ReadonlyMap<string, string>,
  refusals: ReadonlyMap<string, ErrorSummary>,
): Promise<void> {
  const byRig = new Map<string, Set<string>>();
  for (const { rigId, result } of group) {
    if (owner.get(result.resultId) !== rigId) {
      d.log.warn({ rigId, resultId: result.resultId, storedFrom: owner.get(result.resultId) }, 'result ID already used by another rig; not acknowledged');
      continue;
    }
    let ids = byRig.get(rigId);
    if (!ids) byRig.set(rigId, (ids = new Set()));
    ids.add(result.resultId);
  }
  const at = new Date().toISOString();
  await Promise.all(
    [...byRig].map(async ([rigId, ids]) => {
      const resultIds = [...ids];
      const refused = resultIds.filter((id) => refusals.has(id)).map((resultId) => ({ resultId, error: refusals.get(resultId)! }));
      const payload = encodeAckChecked({ v: 1, resultIds, ...(refused.length ? { refused } : {}), at });
      await d.publish(rigCommandTopic(rigId, 'ack'), payload);
      d.stats.results.acknowledged += resultIds.length;
    }),
  );
}
