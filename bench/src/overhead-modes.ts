/** The four ways suite 1 authenticates the same tickets read, in display order. */
export const OVERHEAD_MODES = ['no-auth', 'veto', 'verify-every-request', 'introspection'] as const;

/** One of {@link OVERHEAD_MODES}. */
export type OverheadMode = (typeof OVERHEAD_MODES)[number];

/** How each mode is labelled in tables and charts. */
export const OVERHEAD_MODE_LABELS: Readonly<Record<OverheadMode, string>> = {
  'no-auth': '(a) no auth (ceiling)',
  veto: '(b) Veto auth-lib',
  'verify-every-request': '(c) verify every request, no cache',
  introspection: '(d) introspection per request',
};
