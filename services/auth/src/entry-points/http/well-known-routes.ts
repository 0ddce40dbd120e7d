import { Router } from 'express';
import type { SigningKeys } from '../../domain/signing-keys';

/** How long clients may cache the JWKS: short, so a key rotation propagates in minutes. */
export const JWKS_MAX_AGE_SECONDS = 300;

/**
 * `GET /.well-known/jwks.json`: the current and previous public signing keys.
 *
 * @param keys - the signing keys
 * @returns the router
 * @example
 * app.use(createWellKnownRoutes(keys));
 */
export function createWellKnownRoutes(keys: SigningKeys): Router {
  const router = Router();
  const body = JSON.stringify(keys.jwks);
  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`).type('application/json').send(body);
  });
  return router;
}
