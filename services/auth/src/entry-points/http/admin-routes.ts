import type { Verifier } from '@veto/auth-lib';
import { authenticate, requireRole } from '@veto/auth-lib/express';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { getAdminUser, readAuditLog, searchUsers } from '../../domain/admin-queries';
import type { AuthContext } from '../../domain/auth-context';
import type { FleetView } from '../../domain/fleet-view';
import { banUser } from '../../domain/ban-user';
import type { PublicUser } from '../../domain/public-user';
import { revokeUserSessions } from '../../domain/revoke-user-sessions';
import { unbanUser } from '../../domain/unban-user';
import { parseRequest } from '@veto/service-kit';
import { answerAdminAction, createEnforcementRoutes, parseEnforcementWait } from './enforcement-routes';
import { requireLiveSession } from './require-live-session';

const userIdParam = z.object({ id: z.uuid() });
const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(200).optional(),
};
const usersQuery = z.object({ query: z.string().max(254).optional(), ...pageQuery });
const auditQuery = z.object({ userId: z.uuid().optional(), ...pageQuery });
const reason = z.string().trim().min(1).max(500);
const banBody = z.object({ reason });
const optionalReasonBody = z.object({ reason: reason.optional() });

function actorOf(res: Response): PublicUser {
  return res.locals.user as PublicUser;
}

/**
 * Routes under `/api/admin`, every one for admins only: auth-lib's `authenticate` and
 * `requireRole('admin')` on the token, then the database check that the session is live and
 * the stored role is still `admin`. Ban, unban and revoke-sessions each run in one
 * transaction with their outbox event and audit entry; with `?wait=enforced` they answer once
 * the fleet applied it (see `enforcement-routes.ts`, which also serves the fleet and event views).
 *
 * @param context - the auth context
 * @param options - the access-token verifier and the fleet view
 * @returns the router
 * @example
 * app.use('/api/admin', createAdminRoutes(context, { verifier, fleet }));
 */
export function createAdminRoutes(context: AuthContext, options: { verifier: Verifier; fleet: FleetView }): Router {
  const router = Router();
  const enforcement = { db: context.db, fleet: options.fleet, clock: context.clock };
  router.use(authenticate(options.verifier), requireRole('admin'), requireLiveSession(context.db, 'admin'));
  router.use(createEnforcementRoutes(enforcement));

  router.get('/users', async (req, res) => {
    const query = parseRequest(usersQuery, req.query);
    res.status(200).json(await searchUsers(context.db, query));
  });

  router.get('/users/:id', async (req, res) => {
    const { id } = parseRequest(userIdParam, req.params);
    res.status(200).json({ user: await getAdminUser(context.db, id) });
  });

  router.post('/users/:id/ban', async (req, res) => {
    const { id } = parseRequest(userIdParam, req.params);
    const wait = parseEnforcementWait(req.query);
    const body = parseRequest(banBody, req.body);
    await answerAdminAction(enforcement, res, await banUser(context, { actorId: actorOf(res).id, userId: id, reason: body.reason }), wait);
  });

  router.post('/users/:id/unban', async (req, res) => {
    const { id } = parseRequest(userIdParam, req.params);
    const wait = parseEnforcementWait(req.query);
    const body = parseRequest(optionalReasonBody, req.body);
    await answerAdminAction(enforcement, res, await unbanUser(context, { actorId: actorOf(res).id, userId: id, reason: body.reason }), wait);
  });

  router.post('/users/:id/sessions/revoke', async (req, res) => {
    const { id } = parseRequest(userIdParam, req.params);
    const wait = parseEnforcementWait(req.query);
    const body = parseRequest(optionalReasonBody, req.body);
    await answerAdminAction(enforcement, res, await revokeUserSessions(context, { actorId: actorOf(res).id, userId: id, reason: body.reason }), wait);
  });

  router.get('/audit', async (req, res) => {
    const query = parseRequest(auditQuery, req.query);
    res.status(200).json(await readAuditLog(context.db, query));
  });

  return router;
}
