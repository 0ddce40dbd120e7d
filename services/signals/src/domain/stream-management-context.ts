import type { Clock } from '../clock';
import type { SignalsDatabase } from '../data-access/database';
import type { PendingSignal } from './pending-signal';
import type { SigningKey } from './signing-key';

/** What the stream management and admin use cases run on. */
export interface StreamManagementContext {
  readonly db: SignalsDatabase;
  readonly clock: Clock;
  /** `SIGNALS_ISSUER`: the `iss` of stream configurations and SETs, the base of poll endpoints. */
  readonly issuer: string;
  /** `JWT_ISSUER`: the `iss` of `iss_sub` subjects. */
  readonly subjectIssuer: string;
  /** Signs the verification and stream-updated SETs. */
  readonly key: SigningKey;
  /** Woken after a SET is committed. */
  readonly pending: PendingSignal;
  /** `VETO_ENV`: `local` allows http push endpoints. */
  readonly env: 'production' | 'local';
  /** `SIGNALS_MIN_VERIFICATION_INTERVAL_SECONDS`: the `min_verification_interval` of new streams. */
  readonly minVerificationIntervalSeconds: number;
}
