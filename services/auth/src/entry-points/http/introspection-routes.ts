import { createHash, timingSafeEqual } from 'node:crypto';
import type { Verifier } from '@veto/auth-lib';
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import type { Database } from '../../data-access/database';
import { introspectToken } from '../../domain/introspect-token';
import { AuthError } from '../../errors';
import { BODY_LIMIT, parseRequest } from '@veto/service-kit';

const introspectionBody = z.object({ token: z.string().min(1).max(8192), token_type_hint: z.string().max(64).optional() });

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** The client secret of a request: the password of HTTP Basic, or a Bearer credential. */
function presentedSecret(req: Request): string | undefined {
  const header = req.get('authorization') ?? '';
  const basic = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header);
  if (basic?.[1] !== undefined) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? undefined : decoded.slice(colon + 1);
  }
  return /^Bearer +(\S+) *$/i.exec(header)?.[1];
}

/**
 * `POST /api/auth/introspect` (RFC 7662): `token` in a form or JSON body; answers
 * `{active:false}` or `{active:true, sub, sid, role, exp, iat, iss, aud, jti, token_type}`.
 * Only for clients holding `INTROSPECTION_CLIENT_SECRET`, presented as the HTTP Basic
 * password (any client id) or as a Bearer credential, compared in constant time. Mounted
 * before the JSON-only guard, since RFC 7662 clients send forms.
 *
 * @param deps - the database, the access-token verifier and the configured secret (undefined: disabled)
 * @returns the router
 * @throws {AuthError} (to the error middleware) `INTROSPECTION_DISABLED` when no secret is configured,
 *   `INTROSPECTION_UNAUTHORIZED` for a missing or wrong secret, `VALIDATION_FAILED` without a token
 * @example
 * app.use('/api/auth', createIntrospectionRoutes({ db, verifier, clientSecret: config.introspectionClientSecret }));
 */
export function createIntrospectionRoutes(deps: { db: Database; verifier: Verifier; clientSecret: string | undefined }): Router {
  const router = Router();
  const expected = deps.clientSecret === undefined ? undefined : digest(deps.clientSecret);
  router.post(
    '/introspect',
    (req, _res, next) => {
      if (expected === undefined) {
        throw new AuthError('INTROSPECTION_DISABLED', 'Token introspection is not configured (INTROSPECTION_CLIENT_SECRET)');
      }
      const secret = presentedSecret(req);
      // Both sides hashed to equal length, so the comparison time reveals nothing about the secret.
      if (secret === undefined || !timingSafeEqual(digest(secret), expected)) {
        throw new AuthError('INTROSPECTION_UNAUTHORIZED', 'Introspection requires the client secret');
      }
      next();
    },
    express.urlencoded({ extended: false, limit: BODY_LIMIT }),
    express.json({ limit: BODY_LIMIT }),
    async (req, res) => {
      const { token } = parseRequest(introspectionBody, req.body);
      const result = await introspectToken(deps, token);
      res.set('Cache-Control', 'no-store').status(200).json(result);
    },
  );
  return router;
}
