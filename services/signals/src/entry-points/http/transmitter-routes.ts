import { Router } from 'express';
import type { SigningKey } from '../../domain/signing-key';
import { discoveryPath, TRANSMITTER_PATHS, transmitterMetadata } from '../../domain/transmitter-metadata';

/** How long receivers may cache the metadata and the JWKS: short, so a key rotation propagates in minutes. */
export const METADATA_MAX_AGE_SECONDS = 300;

/**
 * The transmitter's public documents, both `application/json` and readable without credentials
 * (SSF 1.0 §7.1 asks for `authorization_schemes` to be public): the Transmitter Configuration
 * Metadata at `/.well-known/ssf-configuration` plus the issuer's path (SSF 1.0 §7.2), and the
 * JWKS at `/jwks.json` (the public key only).
 *
 * @param deps - the issuer and the signing key
 * @returns the router
 * @example
 * app.use(createTransmitterRoutes({ issuer: config.issuer, key }));
 */
export function createTransmitterRoutes(deps: { readonly issuer: string; readonly key: SigningKey }): Router {
  const router = Router();
  const metadata = JSON.stringify(transmitterMetadata(deps.issuer));
  const jwks = JSON.stringify(deps.key.jwks);
  const cache = `public, max-age=${METADATA_MAX_AGE_SECONDS}`;
  router.get(discoveryPath(deps.issuer), (_req, res) => {
    res.set('Cache-Control', cache).type('application/json').send(metadata);
  });
  router.get(TRANSMITTER_PATHS.jwks, (_req, res) => {
    res.set('Cache-Control', cache).type('application/json').send(jwks);
  });
  return router;
}
