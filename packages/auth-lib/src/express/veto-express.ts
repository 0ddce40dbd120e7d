import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Role } from '../access-token-claims';
import { readinessReport } from '../readiness-report';
import { createVetoAuth, type VetoAuth, type VetoAuthOptions } from '../veto-auth';
import { authErrorHandler } from './auth-error-handler';
import { authenticate, requireAuth, requireRole } from './authenticate';

/** Options of {@link vetoExpress}: those of `createVetoAuth` plus how requests are read. */
export interface VetoExpressOptions extends VetoAuthOptions {
  /** Cookie carrying the access token for browsers. Default `veto_access`. */
  cookieName?: string;
  /** Set false to accept tokens before the feed caught up. Default true (503 `REVOCATION_NOT_READY`). */
  requireReady?: boolean;
}

/** An express service's protection, from {@link vetoExpress}. */
export interface VetoExpress {
  /** The verifier, cache, feed, readiness and metrics underneath. */
  readonly auth: VetoAuth;
  /** Verifies the token of every request and puts its claims on `req.auth`; `app.use` it first. */
  readonly authenticate: RequestHandler;
  /** Rejects requests without a valid token (401 `TOKEN_MISSING`). */
  requireAuth(): RequestHandler;
  /** Admits only tokens with one of the roles (403 `FORBIDDEN_ROLE`). */
  requireRole(...roles: Role[]): RequestHandler;
  /** A readiness route: 200 `{ ready, state }` while current, else 503 with the reason. */
  readonly readiness: RequestHandler;
  /** Answers TokenErrors with problem+json; `app.use` it after the routes. */
  readonly errorHandler: ErrorRequestHandler;
  /** Stops the feed and closes the NATS connection; idempotent. */
  close(): Promise<void>;
}

/**
 * Protects an express service in one call: `createVetoAuth` plus its middleware.
 *
 * @param options - see {@link VetoExpressOptions}
 * @throws TypeError for invalid options
 * @throws TokenError `JWKS_UNAVAILABLE` / `JWKS_INVALID`, EventError `CONNECT_FAILED`, as `createVetoAuth`
 * @example
 * const veto = await vetoExpress({ jwksUrl, nats: { servers } });
 * app.use(veto.authenticate);
 * app.get('/me', veto.requireAuth(), (req, res) => res.json(req.auth));
 * app.get('/readyz', veto.readiness);
 * app.use(veto.errorHandler);
 */
export async function vetoExpress(options: VetoExpressOptions): Promise<VetoExpress> {
  const { cookieName, requireReady, ...authOptions } = options;
  // Checked before connecting, so a typo does not leave a connection behind.
  if (cookieName !== undefined && (typeof cookieName !== 'string' || cookieName.length === 0)) throw new TypeError('cookieName must be a non-empty string');
  const auth = await createVetoAuth(authOptions);
  return {
    auth,
    authenticate: authenticate(auth.verifier, { feed: auth.feed, cookieName, requireReady }),
    requireAuth,
    requireRole,
    readiness: (_req, res) => {
      const { status, body } = readinessReport(auth.readiness);
      res.status(status).json(body);
    },
    errorHandler: authErrorHandler(),
    close: () => auth.close(),
  };
}
