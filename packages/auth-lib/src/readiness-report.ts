import type { VetoReadiness } from './veto-auth';

/** What a readiness endpoint answers; see {@link readinessReport}. */
export interface ReadinessReport {
  status: 200 | 503;
  body: { ready: boolean; state: VetoReadiness['state']; reason?: VetoReadiness['reason'] };
}

/**
 * The readiness endpoint's answer, the same for every framework adapter: 200 while the
 * revocation feed is caught up and current, else 503 with the state and the reason.
 *
 * @param readiness - from {@link createVetoAuth}
 * @example
 * const { status, body } = readinessReport(auth.readiness);
 */
export function readinessReport(readiness: VetoReadiness): ReadinessReport {
  const { ready, state, reason } = readiness;
  return { status: ready ? 200 : 503, body: reason === undefined ? { ready, state } : { ready, state, reason } };
}
