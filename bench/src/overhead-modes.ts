/** The ways suite 1 authenticates the same tickets read, in display order. */
export const OVERHEAD_MODES = ['no-auth', 'veto', 'verify-every-request', 'introspection', 'redis-denylist', 'express-jwt-jwks'] as const;

/** One of {@link OVERHEAD_MODES}. */
export type OverheadMode = (typeof OVERHEAD_MODES)[number];

/** How each mode is labelled in tables and charts. */
export const OVERHEAD_MODE_LABELS: Readonly<Record<OverheadMode, string>> = {
  'no-auth': '(a) no auth (ceiling)',
  veto: '(b) Veto auth-lib',
  'verify-every-request': '(c) verify every request, no cache',
  introspection: '(d) introspection per request',
  'redis-denylist': '(e) Redis denylist per request',
  'express-jwt-jwks': '(f) express-jwt + jwks-rsa',
};

/** When a ban takes effect in each mode, for the table beside the measurements. */
export const OVERHEAD_MODE_REVOCATION: Readonly<Record<OverheadMode, string>> = {
  'no-auth': 'none',
  veto: 'on the ban event (suite 2)',
  'verify-every-request': 'on the ban event (suite 2)',
  introspection: 'next request',
  'redis-denylist': 'next request',
  'express-jwt-jwks': 'none: token valid until `exp`',
};
