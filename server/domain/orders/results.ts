import { ErrorCode } from '../../../protocol/errors/index.ts';
import type { ErrorSummary, ResultMessage } from '../../../protocol/mqtt/index.ts';
import type { BatchOp, Store } from '../../storage/Store.ts';
import { custodyChangeIfAllowed } from '../custody/ledger.ts';
import { places } from '../custody/places.ts';
import type { HubRecord } from '../inventory/hub.ts';
import type { HubChange } from '../inventory/Inventory.ts';
import { isLateResult, parseReading, readingOp, type Reading } from '../reconciliation/readings.ts';
import { putSmiChange } from '../reports/smiChanges.ts';
import type { OrdersContext } from './context.ts';
import { lineKey, liveOrderKey, readingKey } from './keys.ts';
import { parseJobId, type LineState, type OrderLine } from './model.ts';
import { fulfilmentOps } from './fulfilment.ts';
import { putLine } from './orderStore.ts';
import { summary } from './summary.ts';

/** What a rig result does to orders, custody, readings and the SMI change log. */
export interface ResultEffects {
  ops: BatchOp[];
  /** The hub's custody change, applied to the hub as it is after the inventory's own change. */
  custody: (hub: HubRecord) => HubChange | undefined;
}

/** Where planning reads from: the Store, or a group's batch view (see ResultTransaction). */
export type Reader = Pick<Store, 'getMany'>;

/** The job's order, if the result names one (its job ID carries it). */
const jobOrderOf = (result: ResultMessage): string | undefined => parseJobId(result.jobId ?? '')?.orderId ?? result.orderId;

/** Every key planResultEffects reads for a result (so a group of results can read them at once). */
export function resultEffectReads(result: ResultMessage): string[] {
  const chfId = result.hub.chfId;
  const jobOrder = jobOrderOf(result);
  return [readingKey(chfId), liveOrderKey(chfId), ...(jobOrder !== undefined ? [lineKey(jobOrder, chfId)] : [])];
}

/**
 * Plans a result's effects (reads only). Run once per result: by the core's result pipeline, for
 * a result it has not stored before, with the effects in the same batch that stores it (so a
 * result re-sent any number of times moves nothing twice, with no marker of our own).
 * `refused` is set when the inventory stored the result without applying it (installed hub,
 * unknown image): the hub's line then fails with that reason and no SMI change is recorded.
 */
export async function planResultEffects(ctx: OrdersContext, result: ResultMessage, refused: ErrorSummary | undefined, at: string, reader: Reader): Promise<ResultEffects> {
  const chfId = result.hub.chfId;
  const jobOrder = jobOrderOf(result);
  const [previousText, liveOrder, jobLine] = await reader.getMany(resultEffectReads(result));
  const previousReading = parseReading(previousText);
  const landed = (result.outcome === 'verified' || result.outcome === 'already-current') && !refused;
  const ops: BatchOp[] = [];
  const h = result.hub;
  const reading: Reading = { chfId, rigId: result.rigId, at: result.finishedAt, source: 'result', resultId: result.resultId, gpfId: h.gpfId, manufacturerCode: h.manufacturerCode, model: h.model, hardwareVersion: h.hardwareVersion, hanVariant: h.hanVariant, ...(h.installState ? { installState: h.installState } : {}) };
  const firmware = landed ? result.to : result.from;
  reading.firmwareVersion = firmware.version;
  if (firmware.hash !== undefined) reading.firmwareHash = firmware.hash;
  // With no earlier reading there are no other GPF IDs to keep.
  ops.push(readingOp(previousReading, reading));
  if (landed && result.outcome === 'verified' && (result.from.version !== result.to.version || result.from.hash !== result.to.hash)) {
    ops.push(putSmiChange({ chfId, gpfId: result.hub.gpfId, before: result.from, after: result.to, rigId: result.rigId, at: new Date(result.finishedAt).toISOString(), resultId: result.resultId, ...(result.orderId ? { orderId: result.orderId } : {}) }));
  }
  // The hub's live order wins over a job ID from an order it has left (cancelled, say).
  const orderId = liveOrder ?? jobOrder;
  const line = orderId === jobOrder && jobLine !== undefined ? (JSON.parse(jobLine) as OrderLine) : orderId !== undefined ? await readLine(reader, orderId, chfId) : undefined;
  // A result older than the one that last moved the hub on (its rig was offline, say) is kept
  // (stored, in the hub's history, in the SMI change log) but moves neither line nor custody.
  const late = (previousReading !== undefined && isLateResult(previousReading, reading)) || (line?.resultFinishedAt !== undefined && Date.parse(result.finishedAt) < Date.parse(line.resultFinishedAt));
  if (orderId !== undefined && line && !late && line.state !== 'shipped' && line.state !== 'delivered') {
    const [state, reason] = lineOutcome(line, result, refused);
    const { reason: _old, ...rest } = line;
    const next: OrderLine = { ...rest, state, ...(reason ? { reason } : {}), rigId: result.rigId, resultId: result.resultId, resultFinishedAt: result.finishedAt, updatedAt: at };
    ops.push(putLine(orderId, next));
    // Its last open hub found ineligible by the rig, the order may be done (as at a job request).
    if (state === 'ineligible' && line.state !== 'ineligible') ops.push(...(await fulfilmentOps(ctx.store, reader, orderId, chfId, state, at)));
  }
  const by = `rig:${result.rigId}`;
  return {
    ops,
    custody: (hub) => (late ? undefined : custodyChangeIfAllowed(hub, 'off-rig', { at, by, place: places.csp(ctx.config), rigId: result.rigId, ...(orderId ? { orderId } : {}) })),
  };
}

async function readLine(reader: Reader, orderId: string, chfId: string): Promise<OrderLine | undefined> {
  const [text] = await reader.getMany([lineKey(orderId, chfId)]);
  return text === undefined ? undefined : (JSON.parse(text) as OrderLine);
}

function lineOutcome(line: OrderLine, result: ResultMessage, refused: ErrorSummary | undefined): [LineState, ErrorSummary | undefined] {
  if (refused) return ['failed', refused];
  switch (result.outcome) {
    case 'failed':
      return ['failed', result.error];
    case 'ineligible':
      return ['ineligible', result.error ?? summary(ErrorCode.NoJobForHub, `Rig ${result.rigId} found hub ${result.hub.chfId} ineligible`)];
    default: {
      if (line.target && result.to.hash === line.target.hash) return ['verified', undefined];
      const target = line.target ? `${line.target.version} (${line.target.hash})` : '(none)';
      return ['flashed', summary(ErrorCode.ResultNotAtTarget, `Rig ${result.rigId} put ${result.to.version} (${result.to.hash}) on hub ${result.hub.chfId}, not the order's target ${target}: flash it again`, { chfId: result.hub.chfId })];
    }
  }
}
