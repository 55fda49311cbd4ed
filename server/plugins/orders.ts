import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { decodeJobRequest, encodeJob } from '../../protocol/mqtt/index.ts';
import { asnRoutes } from '../api/routes/asns.ts';
import { chargeRoutes } from '../api/routes/charges.ts';
import { orderRoutes } from '../api/routes/orders.ts';
import { reportRoutes } from '../api/routes/reports.ts';
import type { ServerContext, ServerPlugin } from '../context.ts';
import type { ResultAppliedHook, RigMessageHandler } from '../hooks.ts';
import { OrderDesk } from '../domain/orders/OrderDesk.ts';
import { planResultEffects, resultEffectReads } from '../domain/orders/results.ts';

/**
 * The orders plugin: orders, jobs for rigs, ASNs, charges, custody, reconciliation and reports.
 * It answers rigs' job requests over MQTT, moves orders, custody, readings and the SMI change
 * log on with each new result (inside the result's own atomic batch), and adds its API routes.
 */
export function ordersPlugin(options: { now?: () => Date } = {}): ServerPlugin & { desk?: OrderDesk } {
  const plugin: ServerPlugin & { desk?: OrderDesk } = {
    name: 'orders',
    // A clock of the caller's own cannot go to another thread; the real one can.
    ...(options.now ? {} : { portable: { module: import.meta.url, factory: 'ordersPlugin' } }),
    setup(ctx: ServerContext) {
      const desk = new OrderDesk({
        store: ctx.store,
        inventory: ctx.inventory,
        catalogue: ctx.catalogue,
        audit: ctx.audit,
        config: ctx.config.orders,
        gs1CompanyPrefix: ctx.config.gs1CompanyPrefix,
        now: options.now ?? (() => new Date()),
      });
      plugin.desk = desk;

      ctx.hooks.onResultApplied(ordersResultHook(desk), { reads: resultEffectReads });
      ctx.hooks.onRigMessage('job-request', jobRequestHandler(desk, ctx.sendToRig));

      return [...orderRoutes(desk), ...asnRoutes(desk), ...chargeRoutes(desk), ...reportRoutes(desk)];
    },
  };
  return plugin;
}

/**
 * Moves orders, custody, readings and the SMI change log on with a new result, inside the
 * result's own batch: the hub's custody goes back to the CSP (a ledger line in its history).
 * Reads through `tx`: what `resultEffectReads` names is read once for the whole group, and an
 * earlier result of the group for the same hub is seen.
 */
export function ordersResultHook(desk: OrderDesk): ResultAppliedHook {
  return async (event, tx) => {
    const effects = await planResultEffects(desk.ctx, event.result, event.refused, desk.ctx.now().toISOString(), tx);
    tx.ops.push(...effects.ops);
    const custody = effects.custody(event.after);
    if (custody) {
      Object.assign(event.after, custody.after);
      event.events.push(...custody.events);
    }
  };
}

/** Answers a rig's job request on its `cmd/job` topic; an invalid request gets no answer. */
export function jobRequestHandler(desk: OrderDesk, sendToRig: ServerContext['sendToRig']): RigMessageHandler {
  return async (rigId, payload) => {
    const request = decodeJobRequest(payload);
    if (request.rigId !== rigId) {
      throw new HubflashError(ErrorCode.InvalidMessage, `The job request says it is from rig ${request.rigId} but rig ${rigId} sent it`, { rigId, claimed: request.rigId });
    }
    const answer = await desk.answerJob(request);
    const at = desk.ctx.now().toISOString();
    await sendToRig(rigId, 'job', encodeJob({ v: 1, requestId: request.requestId, rigId, chfId: request.hub.chfId, at, ...answer }));
  };
}
