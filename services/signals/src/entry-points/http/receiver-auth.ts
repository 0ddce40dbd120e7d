import type { RequestHandler } from 'express';
import type { SignalsDatabase } from '../../data-access/database';
import { findReceiver } from '../../data-access/receivers-repository';
import { parseReceiverCredential, secretMatches } from '../../domain/receiver-credential';
import { SignalsError } from '../../errors';

/** The receiver a request authenticated as, in `res.locals.receiver`. */
export interface AuthenticatedReceiver {
  readonly id: string;
  readonly name: string;
}

const BEARER = /^Bearer +([^ ]+) *$/i;

/**
 * Reads the authenticated receiver that {@link createReceiverAuth} put on the response.
 *
 * @param locals - `res.locals`
 * @throws Error when the route is not behind the receiver authentication (a wiring mistake)
 * @example
 * const receiver = authenticatedReceiver(res.locals);
 */
export function authenticatedReceiver(locals: Record<string, unknown>): AuthenticatedReceiver {
  const receiver = locals.receiver as AuthenticatedReceiver | undefined;
  if (receiver === undefined) throw new Error('route is not behind the receiver authentication');
  return receiver;
}

/**
 * Authenticates a receiver by its bearer credential (RFC 6750 §2.1: `Authorization: Bearer`):
 * the credential names the receiver, the secret must match its stored hash, and a revoked
 * receiver is refused. Every refusal is the same 401 `RECEIVER_UNAUTHORIZED`, so a caller
 * learns nothing about which receivers exist.
 *
 * @param deps - the database
 * @returns the middleware; on success `res.locals.receiver` is set
 * @example
 * router.use(createReceiverAuth({ db: database.db }));
 */
export function createReceiverAuth(deps: { readonly db: SignalsDatabase }): RequestHandler {
  return async (req, res, next) => {
    const match = BEARER.exec(req.get('authorization') ?? '');
    const parsed = match?.[1] === undefined ? undefined : parseReceiverCredential(match[1]);
    if (parsed === undefined) {
      throw new SignalsError('RECEIVER_UNAUTHORIZED', 'A receiver credential is required: Authorization: Bearer vetorcv.<receiver id>.<secret>');
    }
    const row = await findReceiver(deps.db, parsed.receiverId);
    if (row === undefined || row.revokedAt !== null || !secretMatches(parsed.secret, row.secretHash)) {
      throw new SignalsError('RECEIVER_UNAUTHORIZED', 'The receiver credential is unknown, wrong or revoked');
    }
    res.locals.receiver = { id: row.id, name: row.name } satisfies AuthenticatedReceiver;
    next();
  };
}
