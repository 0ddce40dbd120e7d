import type { RequestHandler } from 'express';
import { TokenError } from '@veto/auth-lib';
import type { Database } from '../../data-access/database';
import { getSessionUser } from '../../domain/get-session-user';

/**
 * Middleware, after auth-lib's `authenticate` and `requireAuth`/`requireRole`: the auth
 * service is the source of truth, so instead of a revocation feed it checks its own
 * database — the token's session must still be live and its user not banned. With
 * `role`, the stored role must match too (a demoted admin's token stops working at once).
 * Puts the user in `res.locals.user`.
 *
 * @param db - the database
 * @param role - a role the stored user must hold, if any
 * @returns the middleware
 * @throws {AuthError} (to the error middleware) `SESSION_REVOKED`, `USER_BANNED`; auth-lib `FORBIDDEN_ROLE`
 * @example
 * router.get('/me', authenticate(verifier), requireAuth(), requireLiveSession(db), handler);
 */
export function requireLiveSession(db: Database, role?: 'admin'): RequestHandler {
  return async (req, res, next) => {
    const claims = req.auth;
    if (claims === undefined) {
      throw new TokenError('TOKEN_MISSING', 'this resource requires an access token');
    }
    const user = await getSessionUser(db, { userId: claims.sub, sessionId: claims.sid });
    if (role !== undefined && user.role !== role) {
      throw new TokenError('FORBIDDEN_ROLE', `this resource requires the role ${role}`);
    }
    res.locals.user = user;
    next();
  };
}
