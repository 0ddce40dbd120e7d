import { parseRequest } from '@veto/service-kit';
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { AdminActionResult } from '../../domain/admin-user';
import { readEventEnforcement, waitForEnforcement, type EnforcementDeps, type EventEnforcement } from '../../domain/event-enforcement';

const eventIdParam = z.object({ eventId: z.uuid() });
const DEFAULT_WAIT_MS = 5000;
const waitQuery = z
  .object({
    wait: z.literal('enforced').optional(),
    timeoutMs: z.coerce.number().int().min(1).max(30_000).optional(),
  })
  .refine((query) => query.timeoutMs === undefined || query.wait !== undefined, { path: ['timeoutMs'], message: 'needs wait=enforced' });

/** `?wait=enforced&timeoutMs=` of an admin action: undefined when the client does not wait. */
export type EnforcementWaitRequest = { readonly timeoutMs: number } | undefined;

/**
 * Reads `wait` and `timeoutMs` from an admin action's query, before the action runs.
 *
 * @param query - `req.query`
 * @returns the wait to do after the commit, or undefined
 * @throws {ValidationError} `VALIDATION_FAILED` for another `wait`, a `timeoutMs` outside 1..30000 or without `wait`
 * @example
 * const wait = parseEnforcementWait(req.query);
 */
export function parseEnforcementWait(query: unknown): EnforcementWaitRequest {
  const parsed = parseRequest(waitQuery, query);
  return parsed.wait === undefined ? undefined : { timeoutMs: parsed.timeoutMs ?? DEFAULT_WAIT_MS };
}

/**
 * Answers an admin action: its result as is, or, when the client asked to wait, after every live
 * instance applied its event (or the timeout, or the client leaving), with `enforcement`,
 * `waitedMs` and `timedOut` added. Always 200: a timeout is an answer, naming who is missing.
 *
 * @param deps - database, fleet view, clock
 * @param res - the response (its closing ends the wait)
 * @param result - what the action returned
 * @param wait - from {@link parseEnforcementWait}
 * @example
 * await answerAdminAction(deps, res, await banUser(context, input), wait);
 */
export async function answerAdminAction(deps: EnforcementDeps, res: Response, result: AdminActionResult, wait: EnforcementWaitRequest): Promise<void> {
  if (wait === undefined) {
    res.status(200).json(result);
    return;
  }
  if (result.eventId === null) {
    res.status(200).json({ ...result, enforcement: null, waitedMs: 0, timedOut: false });
    return;
  }
  const left = new AbortController();
  const onClose = () => left.abort();
  res.on('close', onClose);
  try {
    const outcome = await waitForEnforcement(deps, result.eventId, { timeoutMs: wait.timeoutMs, signal: left.signal });
    if (left.signal.aborted) return;
    res.status(200).json({ ...result, ...outcome });
  } finally {
    res.off('close', onClose);
  }
}

/**
 * The enforcement routes of the admin API, mounted inside its router (behind its admin checks):
 * `GET /events/:eventId/enforcement` and `GET /instances`.
 *
 * @param deps - database, fleet view, clock
 * @returns the router
 * @example
 * router.use(createEnforcementRoutes({ db, fleet, clock }));
 */
export function createEnforcementRoutes(deps: EnforcementDeps): Router {
  const router = Router();

  router.get('/events/:eventId/enforcement', async (req, res) => {
    const { eventId } = parseRequest(eventIdParam, req.params);
    const view: EventEnforcement = await readEventEnforcement(deps, eventId);
    res.status(200).json(view);
  });

  router.get('/instances', (_req, res) => {
    const instances = deps.fleet.liveInstances().map((instance) => ({
      service: instance.service,
      instanceId: instance.instanceId,
      state: instance.state,
      reason: instance.reason,
      lastSeq: instance.lastSeq,
      lastEventId: instance.lastEventId,
      lastAppliedAt: instance.lastAppliedAt,
      lagMs: instance.lagMs,
      lastSeenAt: new Date(instance.lastSeenAt).toISOString(),
      expiresAt: new Date(instance.expiresAt).toISOString(),
    }));
    res.status(200).json({ instances, checkedAt: new Date(deps.clock()).toISOString() });
  });

  return router;
}
