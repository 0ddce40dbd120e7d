export { ROLES, accessTokenClaimsSchema, accessTokenTimes, issuedAtMs, numericDateToMs, type AccessTokenClaims, type AccessTokenTimes, type Role } from './access-token-claims';
export { toLowS } from './low-s-signature';
export { TOKEN_ERROR_CODES, TokenError, isTokenError, type TokenErrorCode } from './errors';
export { RevocationCache, type RevocationCacheOptions, type RevocationSubject } from './revocation-cache';
export { createStaticKeyStore, keysFromJwks, type JsonWebKeySet, type KeyEntry, type KeyStore } from './key-store';
export { loadJwks, type LoadJwksOptions } from './load-jwks';
export { createJwksKeyStore, type JwksKeyStore, type JwksKeyStoreOptions } from './jwks-key-store';
export { createVerifier, type Verifier, type VerifierOptions, type VerifierStats } from './verifier';
export { createRevocationVerification, type RevocationVerification, type RevocationVerificationOptions } from './revocation-verification';
export { authProblem, type AuthProblem } from './auth-problem';
export { applyRevocationEvent } from './apply-revocation-event';
export {
  createRevocationFeed,
  REVOCATION_FEED_REASONS,
  type AppliedRevocation,
  type RevocationFeed,
  type RevocationFeedOptions,
  type RevocationFeedReason,
  type RevocationFeedState,
} from './revocation-feed';
export { createEnforcementReporter, type EnforcementReporter, type EnforcementReporterOptions } from './enforcement-reporter';
export { PROPAGATION_BUCKETS_SECONDS, registerAuthMetrics, type AuthMetricsSources, type MetricsRegistry } from './auth-metrics';
export { createVetoAuth, type VetoAuth, type VetoAuthOptions, type VetoAuthState, type VetoReadiness } from './veto-auth';
export { VETO_AUTH_DEFAULTS } from './veto-auth-defaults';
export { readinessReport, type ReadinessReport } from './readiness-report';
export { authenticateRequest, type AuthenticateRequestOptions, type TokenHeaders } from './authenticate-request';
export { requireClaims } from './require-claims';
