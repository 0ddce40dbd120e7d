import type { Verifier } from '@veto/auth-lib';
import { asServiceError, BODY_LIMIT, parseRequest, problemBody, type HttpErrorSpec } from '@veto/service-kit';
import express, { Router, type ErrorRequestHandler, type Request } from 'express';
import { z } from 'zod';
import type { Database } from '../../data-access/database';
import { introspectToken } from '../../domain/introspect-token';
import { AuthError } from '../../errors';
import { createClientCheck, readClientCredentials } from './introspection-client-auth';
import { HTTP_ERRORS } from './problem-details';

// Repeated parameters arrive as arrays (`extended: false`) and fail here: RFC 6749 §3.2 forbids them.
const credentialsBody = z.object({ client_id: z.string().max(512).optional(), client_secret: z.string().max(512).optional() });
const introspectionBody = z.object({ token: z.string().min(1).max(8192), token_type_hint: z.string().max(64).optional() });

// The service's code → status table, read by any code (the router meets express's codes too).
const STATUS_TABLE: Readonly<Record<string, HttpErrorSpec>> = HTTP_ERRORS;

/** The realm of the Basic challenge on `invalid_client`. */
const INTROSPECTION_REALM = 'veto-introspection';

/** Whether the request authenticated (or tried to) with `client_secret_post` rather than the Authorization header. */
const usedPostAuthentication = (req: Request): boolean =>
  req.get('authorization') === undefined && typeof req.body === 'object' && req.body !== null && 'client_secret' in req.body;

/**
 * The introspection endpoint's own error answers, for OAuth clients and RFC 9457 clients at once
 * (RFC 7662 §2.3, RFC 6749 §5.2): the problem members `type, title, status, detail, code` plus
 * OAuth's `error` (`invalid_client` for `INTROSPECTION_UNAUTHORIZED`, else `invalid_request`)
 * and `error_description`. The media type is `application/json`, which OAuth prescribes and
 * openid-client requires, unless the client prefers `application/problem+json`. A 401 carries
 * a Basic challenge unless the client authenticated in the body (RFC 6749 §5.2 demands one
 * only for the Authorization header, and openid-client reads a challenge before the body). 5xx
 * and unknown errors go on to the service's error middleware.
 */
const introspectionErrors: ErrorRequestHandler = (error: unknown, req, res, next) => {
  const known = asServiceError(error);
  const spec = known === undefined ? undefined : STATUS_TABLE[known.code];
  if (res.headersSent || known === undefined || spec === undefined || spec.status >= 500) {
    next(error);
    return;
  }
  const oauthError = known.code === 'INTROSPECTION_UNAUTHORIZED' ? 'invalid_client' : 'invalid_request';
  const body = { ...problemBody(known, spec), error: oauthError, error_description: known.message };
  if (oauthError === 'invalid_client' && !usedPostAuthentication(req)) {
    res.set('WWW-Authenticate', `Basic realm="${INTROSPECTION_REALM}", error="invalid_client"`);
  }
  const type = req.accepts(['application/json', 'application/problem+json']) === 'application/problem+json' ? 'application/problem+json' : 'application/json';
  res.status(spec.status).set('Cache-Control', 'no-store').type(type).send(JSON.stringify(body));
};

/**
 * `POST /api/auth/introspect` (RFC 7662): `token` in a form (or JSON) body; answers
 * `{active:false}` or `{active:true, sub, sid, role, exp, iat, iss, aud, jti, token_type:"Bearer"}`
 * with `Cache-Control: no-store`. The client authenticates with `client_secret_basic` (id and
 * secret form-urlencoded, then Base64, RFC 6749 §2.3.1), `client_secret_post`, or the secret
 * as a Bearer credential; one method per request. Mounted before the JSON-only guard, since
 * RFC 7662 clients send forms, and with its own error answers (see `introspectionErrors`).
 *
 * @param deps - the database, the access-token verifier, the configured secret (undefined: disabled) and client id (undefined: any)
 * @returns the router
 * @throws {AuthError} (answered by the router) `INTROSPECTION_DISABLED` (404) when no secret is configured,
 *   `INTROSPECTION_UNAUTHORIZED` (401 `invalid_client`) for missing or wrong client credentials,
 *   `VALIDATION_FAILED` (400 `invalid_request`) without a token or with two authentication methods
 * @example
 * app.use('/api/auth', createIntrospectionRoutes({ db, verifier, clientSecret: config.introspectionClientSecret, clientId: config.introspectionClientId }));
 */
export function createIntrospectionRoutes(deps: { db: Database; verifier: Verifier; clientSecret: string | undefined; clientId?: string | undefined }): Router {
  const router = Router();
  if (deps.clientSecret === undefined) {
    router.post('/introspect', () => {
      throw new AuthError('INTROSPECTION_DISABLED', 'Token introspection is not enabled on this server (INTROSPECTION_CLIENT_SECRET)');
    });
  } else {
    const checkClient = createClientCheck({ clientId: deps.clientId, clientSecret: deps.clientSecret });
    router.post('/introspect', express.urlencoded({ extended: false, limit: BODY_LIMIT }), express.json({ limit: BODY_LIMIT }), async (req, res) => {
      checkClient(readClientCredentials(req.get('authorization'), parseRequest(credentialsBody, req.body)));
      const { token } = parseRequest(introspectionBody, req.body);
      const result = await introspectToken(deps, token);
      res.set('Cache-Control', 'no-store').status(200).json(result);
    });
  }
  router.use(introspectionErrors);
  return router;
}
