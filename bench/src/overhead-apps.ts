import type { RevocationCache, RevocationFeed, Verifier } from '@veto/auth-lib';
import { authenticate, authErrorHandler, requireAuth } from '@veto/auth-lib/express';
import { createApp, type AppDeps } from '@veto/tickets';
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { gateProblem } from './gate-problem';
import type { OverheadMode } from './overhead-modes';
import { createTrustingVerifier } from './trusting-verifier';

/** The path of suite 1's route without a database read: it answers the authenticated subject. */
export const NO_READ_PATH = '/bench/whoami';

/** The baseline modes that decide in a gate of their own before the app. */
export type GatedMode = Extract<OverheadMode, 'introspection' | 'redis-denylist' | 'express-jwt-jwks'>;

/** What {@link createOverheadApps} builds the apps from; overhead-server.ts wires the real ones. */
export interface OverheadAppsDeps {
  readonly database: AppDeps['database'];
  readonly cache: RevocationCache;
  readonly feed: RevocationFeed;
  readonly logger: Logger;
  /** Veto's verifier on `cache` and `feed`, with or without its verified-token cache. */
  readonly veto: (cacheEnabled: boolean) => Verifier;
  readonly gates: Readonly<Record<GatedMode, RequestHandler>>;
}

/**
 * Suite 1's app for every mode, identical but for how a request is authenticated. Each serves
 * the tickets app (the read route `GET /api/tickets/:id`) and `GET` {@link NO_READ_PATH}, which
 * passes the same gate and the same `authenticate` + `requireAuth` as the tickets routes and then
 * answers `{ sub }` without touching the database: what is left is the cost of authentication.
 *
 * @param deps - see {@link OverheadAppsDeps}
 * @throws Error from prom-client only if a registry were shared (each app gets its own)
 * @example
 * const apps = createOverheadApps({ database, cache, feed, logger, veto, gates });
 * apps.veto.listen(0);
 */
export function createOverheadApps(deps: OverheadAppsDeps): Record<OverheadMode, Express> {
  const { database, cache, feed, logger } = deps;
  const app = (verifier: Verifier, gate?: RequestHandler): Express => {
    const outer = express();
    outer.disable('x-powered-by');
    // A baseline's gate decides first; the verifier behind it then only reads the claims.
    if (gate !== undefined) outer.use(gate);
    outer.get(NO_READ_PATH, authenticate(verifier, { feed }), requireAuth(), (req, res) => {
      res.json({ sub: req.auth?.sub });
    });
    outer.use(createApp({ database, verifier, cache, feed, clock: Date.now, logger, metricsRegistry: new Registry() }));
    return outer.use(authErrorHandler()).use(gateProblem);
  };
  return {
    'no-auth': app(createTrustingVerifier()),
    veto: app(deps.veto(true)),
    'verify-every-request': app(deps.veto(false)),
    introspection: app(createTrustingVerifier(), deps.gates.introspection),
    'redis-denylist': app(createTrustingVerifier(), deps.gates['redis-denylist']),
    'express-jwt-jwks': app(createTrustingVerifier(), deps.gates['express-jwt-jwks']),
  };
}
