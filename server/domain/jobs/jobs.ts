import { ErrorCode } from '../../../protocol/errors/index.ts';
import type { ErrorSummary, JobAssignment, JobRequestMessage } from '../../../protocol/mqtt/index.ts';
import type { BatchOp } from '../../storage/Store.ts';
import { custodyChangeIfAllowed, chain } from '../custody/ledger.ts';
import { places } from '../custody/places.ts';
import { ukToday } from '../orders/clock.ts';
import type { OrdersContext } from '../orders/context.ts';
import { checkEligibility, type HubReading } from '../orders/eligibility.ts';
import { liveOrderKey } from '../orders/keys.ts';
import { jobIdOf } from '../orders/model.ts';
import { fulfilmentOps } from '../orders/fulfilment.ts';
import { findOrder, getLine, putLine } from '../orders/orderStore.ts';
import { summary } from '../orders/summary.ts';
import { recordReading } from '../reconciliation/readings.ts';

export type JobAnswer = { outcome: 'job'; job: JobAssignment } | { outcome: 'refused'; error: ErrorSummary };

/** The path rigs download an image from, on the server's HTTP API. */
export const imagePath = (sha256: string): string => `/api/v1/firmware/${sha256}/image`;

/**
 * Answers a rig that connected a hub: finds the hub's live order, checks its eligibility again
 * with what the rig read, and hands out the job (line → on-rig, custody → on a rig) or refuses
 * with the reason (an eligible line that fails the check becomes ineligible). The reading is
 * kept for reconciliation either way.
 */
export async function answerJobRequest(ctx: OrdersContext, request: JobRequestMessage): Promise<JobAnswer> {
  const { rigId, hub: read } = request;
  const chfId = read.chfId;
  const by = `rig:${rigId}`;
  const answer = await ctx.inventory.lock.run(async (): Promise<JobAnswer> => {
    const at = ctx.now().toISOString();
    const ops: BatchOp[] = [await recordReading(ctx.store, { chfId, rigId, at, source: 'job-request', gpfId: read.gpfId, manufacturerCode: read.manufacturerCode, model: read.model, hardwareVersion: read.hardwareVersion, hanVariant: read.hanVariant, firmwareVersion: read.firmware.version, ...(read.firmware.hash ? { firmwareHash: read.firmware.hash } : {}), ...(read.installState ? { installState: read.installState } : {}) })];
    const refuse = async (error: ErrorSummary): Promise<JobAnswer> => {
      await ctx.store.batch(ops);
      return { outcome: 'refused', error };
    };
    const orderId = await ctx.store.get(liveOrderKey(chfId));
    const order = orderId === undefined ? undefined : await findOrder(ctx.store, orderId);
    const line = order ? await getLine(ctx.store, order.orderId, chfId) : undefined;
    if (!order || order.status !== 'open' || !line) {
      return refuse(summary(ErrorCode.NoJobForHub, `Hub ${chfId} is on no live order: set it aside and take it on an order first (hubflash order take)`, { chfId }));
    }
    if (line.state === 'verified' || line.state === 'shipped' || line.state === 'delivered') {
      return refuse(summary(ErrorCode.NoJobForHub, `Hub ${chfId} is already ${line.state} on order ${order.orderId}${line.asnId ? ` (ASN ${line.asnId})` : ''}: nothing to flash`, { chfId, orderId: order.orderId, state: line.state }));
    }
    const hub = await ctx.inventory.get(chfId);
    const reading: HubReading = { gpfId: read.gpfId, manufacturerCode: read.manufacturerCode, model: read.model, hardwareVersion: read.hardwareVersion, hanVariant: read.hanVariant, imageType: read.imageType, firmwareVersion: read.firmware.version, ...(read.firmware.hash ? { firmwareHash: read.firmware.hash } : {}), ...(read.installState ? { installState: read.installState } : {}) };
    const check = checkEligibility({ chfId, hub, targets: order.targets, images: await ctx.catalogue.list(), today: ukToday(ctx.now()), reading });
    if (!check.eligible || !hub) {
      const reason = check.eligible ? summary(ErrorCode.HubUnknown, `Hub ${chfId} is not in the inventory`) : check.reason;
      if (line.state !== 'ineligible' || line.reason?.code !== reason.code) ops.push(putLine(order.orderId, { ...line, state: 'ineligible', reason, rigId, updatedAt: at }));
      // Its last open hub found ineligible, the order may be done (docs/orders.md, "Progress").
      if (line.state !== 'ineligible') ops.push(...(await fulfilmentOps(ctx.store, ctx.store, order.orderId, chfId, 'ineligible', at)));
      return refuse(reason);
    }
    const { image } = check;
    const jobId = jobIdOf(order.orderId, chfId);
    const { reason: _cleared, ...rest } = line;
    ops.push(putLine(order.orderId, { ...rest, state: 'on-rig', target: { version: image.fileVersion, hash: image.sha256 }, jobId, rigId, updatedAt: at }));
    // A hub on a rig has evidently arrived, whatever the paperwork said.
    const ctxC = { at, by, orderId: order.orderId, rigId };
    const change = chain(
      custodyChangeIfAllowed(hub, 'received', { ...ctxC, place: places.csp(ctx.config) }),
      hub,
      (h) => custodyChangeIfAllowed(h, 'on-rig', { ...ctxC, place: places.rig(rigId, ctx.config) }),
    );
    await ctx.inventory.commit(change ? [change] : [], ops);
    const path = imagePath(image.sha256);
    const url = ctx.config.imageBaseUrl ? new URL(path, ctx.config.imageBaseUrl).toString() : path;
    return { outcome: 'job', job: { jobId, orderId: order.orderId, target: { version: image.fileVersion, hash: image.sha256, size: image.size, url }, alreadyCurrent: check.alreadyCurrent } };
  });
  await ctx.audit.append([
    answer.outcome === 'job'
      ? { actor: by, action: 'job.issue', subject: chfId, details: { jobId: answer.job.jobId, orderId: answer.job.orderId, target: answer.job.target.version } }
      : { actor: by, action: 'job.refuse', subject: chfId, details: { code: answer.error.code } },
  ], { sync: false });
  return answer;
}
