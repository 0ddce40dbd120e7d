import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler, RouteHandlerMethod } from 'fastify';
import fp from 'fastify-plugin';
import type { AccessTokenClaims, Role } from '../access-token-claims';
import { authProblem } from '../auth-problem';
import { authenticateRequest } from '../authenticate-request';
import { readinessReport } from '../readiness-report';
import { requireClaims } from '../require-claims';
import { createVetoAuth, type VetoAuth, type VetoAuthOptions } from '../veto-auth';
import { VETO_AUTH_DEFAULTS } from '../veto-auth-defaults';

/** Options of {@link vetoFastify}: those of `createVetoAuth` plus how requests are read. */
export interface VetoFastifyOptions extends VetoAuthOptions {
  /** Cookie carrying the access token for browsers. Default `veto_access`. */
  cookieName?: string;
  /** Set false to accept tokens before the feed caught up. Default true (503 `REVOCATION_NOT_READY`). */
  requireReady?: boolean;
}

/** What {@link vetoFastify} decorates the instance with, as `fastify.veto`. */
export interface VetoFastify {
  /** The verifier, cache, feed, readiness and metrics underneath. */
  readonly auth: VetoAuth;
  /** A preHandler rejecting requests without a valid token (401 `TOKEN_MISSING`). */
  requireAuth(): preHandlerAsyncHookHandler;
  /** A preHandler admitting only tokens with one of the roles (403 `FORBIDDEN_ROLE`). */
  requireRole(...roles: Role[]): preHandlerAsyncHookHandler;
  /** A readiness route: 200 `{ ready, state }` while current, else 503 with the reason. */
  readonly readiness: RouteHandlerMethod;
  /** For `setErrorHandler`: answers TokenErrors (e.g. from `request.vetoVerify()`) with problem+json, rethrows the rest. */
  errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply;
}

declare module 'fastify' {
  interface FastifyInstance {
    veto: VetoFastify;
  }
  interface FastifyRequest {
    /** Claims of the verified access token; undefined when the request carried none. */
    user: AccessTokenClaims | undefined;
    /**
     * Verifies the request's token again and returns its claims.
     *
     * @throws TokenError `TOKEN_MISSING` without a token, the verifier's codes for a bad one
     */
    vetoVerify(): AccessTokenClaims;
  }
}

function sendProblem(reply: FastifyReply, err: unknown): FastifyReply {
  const problem = authProblem(err);
  if (problem === undefined) throw err;
  return reply.code(problem.status).headers(problem.headers).send(JSON.stringify(problem.body));
}

async function plugin(fastify: FastifyInstance, options: VetoFastifyOptions): Promise<void> {
  const { cookieName = VETO_AUTH_DEFAULTS.cookieName, requireReady = true, ...authOptions } = options;
  // Checked before connecting, so a typo does not leave a connection behind.
  if (typeof cookieName !== 'string' || cookieName.length === 0) throw new TypeError('cookieName must be a non-empty string');
  const auth = await createVetoAuth(authOptions);
  fastify.addHook('onClose', async () => auth.close());
  const readOptions = { cookieName, feed: auth.feed, requireReady };

  fastify.decorateRequest('user', undefined);
  fastify.decorateRequest('vetoVerify', function vetoVerify(this: FastifyRequest): AccessTokenClaims {
    return requireClaims(authenticateRequest(auth.verifier, this.headers, readOptions));
  });
  // Every request, like express's app.use(authenticate): no token passes, a bad one is answered here.
  fastify.addHook('onRequest', async (request, reply) => {
    try {
      request.user = authenticateRequest(auth.verifier, request.headers, readOptions);
    } catch (err) {
      return sendProblem(reply, err);
    }
    return undefined;
  });

  const admit =
    (roles: readonly Role[]): preHandlerAsyncHookHandler =>
    async (request, reply) => {
      try {
        requireClaims(request.user, roles);
      } catch (err) {
        return sendProblem(reply, err);
      }
      return undefined;
    };

  const veto: VetoFastify = {
    auth,
    requireAuth: () => admit([]),
    requireRole: (...roles) => {
      if (roles.length === 0) throw new TypeError('requireRole needs at least one role');
      return admit(roles);
    },
    readiness: async (_request, reply) => {
      const { status, body } = readinessReport(auth.readiness);
      return reply.code(status).send(body);
    },
    errorHandler: (err, _request, reply) => sendProblem(reply, err),
  };
  fastify.decorate('veto', veto);
}

/**
 * A Fastify plugin protecting the whole instance in one `register`: `createVetoAuth`, an
 * `onRequest` hook verifying every request's token into `request.user` (no token passes; a bad
 * one gets its problem+json, as with express), `request.vetoVerify()`, and `fastify.veto` with
 * `requireAuth()`/`requireRole()` preHandlers and a readiness route. Closes the feed and the NATS
 * connection on Fastify's `onClose`.
 *
 * @param options - see {@link VetoFastifyOptions}
 * @throws TypeError for invalid options; TokenError `JWKS_*` and EventError `CONNECT_FAILED` from `register`
 * @example
 * await app.register(vetoFastify, { jwksUrl, nats: { servers } });
 * app.get('/me', { preHandler: app.veto.requireAuth() }, async (request) => request.user);
 * app.get('/readyz', app.veto.readiness);
 */
export const vetoFastify = fp(plugin, { fastify: '5.x', name: '@veto/auth-lib/fastify' });
