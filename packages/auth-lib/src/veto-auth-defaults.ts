/**
 * The auth service's defaults (`JWT_ISSUER`, `JWT_AUDIENCE`, `ACCESS_TOKEN_TTL_SECONDS`, its
 * access cookie) and the clock skew every Veto consumer tolerates: what {@link createVetoAuth}
 * and the adapters assume unless told otherwise.
 *
 * @example
 * createVetoAuth({ jwksUrl, nats, accessTokenTtlSeconds: VETO_AUTH_DEFAULTS.accessTokenTtlSeconds });
 */
export const VETO_AUTH_DEFAULTS = Object.freeze({
  issuer: 'veto-auth',
  audience: 'veto',
  accessTokenTtlSeconds: 900,
  clockSkewSeconds: 30,
  cookieName: 'veto_access',
  connectTimeoutMs: 60_000,
});
