import type { RequestHandler } from 'express';
import type { AccessTokenClaims, Role } from '../access-token-claims';
import { authenticateRequest } from '../authenticate-request';
import { VETO_AUTH_DEFAULTS } from '../veto-auth-defaults';
import { requireClaims } from '../require-claims';
import type { Verifier } from '../verifier';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- declaration merging into express's global namespace
  namespace Express {
    interface Request {
      /** Claims of the verified access token; set by `authenticate`, undefined when no token came. */
      auth?: AccessTokenClaims;
    }
  }
}

/** Options of {@link authenticate}. */
export interface AuthenticateOptions {
  /** Cookie carrying the access token for browsers. Default `veto_access`. */
  cookieName?: string;
  /** The revocation feed; while it is not caught up, valid tokens get 503 `REVOCATION_NOT_READY`. */
  feed?: { readonly isReady: boolean };
  /** Set false to accept tokens before the feed caught up (revocations still loading). Default true. */
  requireReady?: boolean;
}

/**
 * Express middleware that verifies the access token from `Authorization: Bearer` (preferred)
 * or the access cookie and puts its claims on `req.auth`. A request without a token passes
 * through unauthenticated (use {@link requireAuth}); a bad token goes to `next(err)` as a
 * TokenError for {@link authProblem}.
 *
 * @param verifier - from {@link createVerifier}
 * @param options - see {@link AuthenticateOptions}
 * @throws TypeError for invalid options
 * @example
 * app.use(authenticate(verifier, { feed }));
 * app.get('/api/users/me', requireAuth(), (req, res) => res.json({ id: req.auth!.sub }));
 */
export function authenticate(verifier: Verifier, options: AuthenticateOptions = {}): RequestHandler {
  const { cookieName = VETO_AUTH_DEFAULTS.cookieName, feed, requireReady = true } = options;
  if (typeof verifier?.verify !== 'function') throw new TypeError('verifier must come from createVerifier');
  if (typeof cookieName !== 'string' || cookieName.length === 0) throw new TypeError('cookieName must be a non-empty string');
  return (req, _res, next) => {
    try {
      const claims = authenticateRequest(verifier, req.headers, { cookieName, feed, requireReady });
      if (claims !== undefined) req.auth = claims;
      next();
    } catch (err) {
      next(err);
    }
  };
}

/**
 * Express middleware that rejects requests `authenticate` found no valid token on.
 *
 * @throws TokenError `TOKEN_MISSING` (via `next`) when `req.auth` is not set
 * @example
 * router.get('/tickets', requireAuth(), listTickets);
 */
export function requireAuth(): RequestHandler {
  return (req, _res, next) => {
    try {
      requireClaims(req.auth);
      next();
    } catch (err) {
      next(err);
    }
  };
}

/**
 * Express middleware that admits only tokens with one of the given roles.
 *
 * @param roles - accepted roles, e.g. `'admin'`
 * @throws TokenError `TOKEN_MISSING` (via `next`) without a token, `FORBIDDEN_ROLE` with another role
 * @throws TypeError at construction when no role is given
 * @example
 * adminRouter.use(requireRole('admin'));
 */
export function requireRole(...roles: Role[]): RequestHandler {
  if (roles.length === 0) throw new TypeError('requireRole needs at least one role');
  return (req, _res, next) => {
    try {
      requireClaims(req.auth, roles);
      next();
    } catch (err) {
      next(err);
    }
  };
}
