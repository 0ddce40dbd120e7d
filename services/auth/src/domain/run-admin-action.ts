import { randomUUID } from 'node:crypto';
import type { VetoEvent } from '@veto/events';
import type { Database } from '../data-access/database';
import { insertAuditEntry } from '../data-access/audit-log-repository';
import type { AdminAction, UserRow } from '../data-access/schema';
import { lockUser } from '../data-access/users-repository';
import { AuthError } from '../errors';
import type { AuthContext } from './auth-context';
import { toAdminUser, type AdminActionResult } from './admin-user';

/** What an admin action did inside its transaction. */
export type AdminActionOutcome =
  | { readonly changed: true; readonly user: UserRow; readonly event: VetoEvent; readonly reason: string | null }
  | { readonly changed: false; readonly user: UserRow; readonly eventId: string | null };

/**
 * Runs one admin action on a user in ONE transaction: locks the target row (`FOR UPDATE`,
 * so concurrent actions on a user and token issuing take turns), lets `act` change state
 * and record its event, and writes the audit entry when something changed. The relay is
 * woken after the commit.
 *
 * @param context - the auth context
 * @param input - the acting admin, the target user and the audited action
 * @param act - the change, given the transaction, the locked row and the action time
 * @returns the target after the action and the event id
 * @throws {AuthError} `USER_NOT_FOUND` when the target does not exist
 * @example
 * return runAdminAction(context, { actorId, userId, action: 'user.unbanned' }, async (tx, user, now) => { ... });
 */
export async function runAdminAction(
  context: Pick<AuthContext, 'db' | 'clock' | 'onEventsRecorded'>,
  input: { actorId: string; userId: string; action: AdminAction },
  act: (tx: Database, user: UserRow, now: Date) => Promise<AdminActionOutcome>,
): Promise<AdminActionResult> {
  const outcome = await context.db.transaction(async (tx) => {
    const user = await lockUser(tx, input.userId, 'update');
    if (user === undefined) {
      throw new AuthError('USER_NOT_FOUND', `No user ${input.userId}`);
    }
    // Read after the lock: the event's revokedAt must not precede a token issued while we waited.
    const now = new Date(context.clock());
    const result = await act(tx, user, now);
    if (result.changed) {
      await insertAuditEntry(tx, {
        id: randomUUID(),
        actorUserId: input.actorId,
        action: input.action,
        targetUserId: user.id,
        reason: result.reason,
        createdAt: now,
        eventId: result.event.id,
      });
    }
    return result;
  });
  if (!outcome.changed) {
    return { user: toAdminUser(outcome.user), eventId: outcome.eventId };
  }
  context.onEventsRecorded([outcome.event]);
  return { user: toAdminUser(outcome.user), eventId: outcome.event.id };
}
