import { decodeCursor, toPage } from '@veto/service-kit';
import { listAuditEntries } from '../data-access/audit-log-repository';
import type { Database } from '../data-access/database';
import { findUserById, listUsers } from '../data-access/users-repository';
import { AuthError } from '../errors';
import { toAdminUser, type AdminUser } from './admin-user';
import { normalizeEmail } from './public-user';

/** One entry of the audit log as the admin API shows it. */
export interface AuditEntry {
  readonly id: string;
  readonly actorUserId: string;
  readonly action: string;
  readonly targetUserId: string;
  readonly reason: string | null;
  readonly createdAt: string;
  readonly eventId: string;
}

/** A page of results and the cursor of the next one (`null` on the last page). */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/**
 * Lists accounts, newest first, optionally those whose email contains `query` (any case).
 *
 * @param db - database
 * @param input - search text, page size (1–100), cursor from the previous page
 * @returns one page
 * @throws {ValidationError} `VALIDATION_FAILED` for a bad cursor
 * @example
 * const page = await searchUsers(db, { query: 'ada', limit: 20, cursor: undefined });
 */
export async function searchUsers(db: Database, input: { query?: string | undefined; limit: number; cursor?: string | undefined }): Promise<Page<AdminUser>> {
  const after = decodeCursor(input.cursor);
  const query = input.query === undefined ? undefined : normalizeEmail(input.query);
  const rows = await listUsers(db, { emailContains: query === '' ? undefined : query, limit: input.limit + 1, after });
  const page = toPage(rows, input.limit);
  return { items: page.items.map(toAdminUser), nextCursor: page.nextCursor };
}

/**
 * Reads one account for the admin API.
 *
 * @param db - database
 * @param userId - the user id
 * @returns the account
 * @throws {AuthError} `USER_NOT_FOUND`
 * @example
 * const user = await getAdminUser(db, id);
 */
export async function getAdminUser(db: Database, userId: string): Promise<AdminUser> {
  const row = await findUserById(db, userId);
  if (row === undefined) {
    throw new AuthError('USER_NOT_FOUND', `No user ${userId}`);
  }
  return toAdminUser(row);
}

/**
 * Reads the audit log, newest first, optionally for one target user.
 *
 * @param db - database
 * @param input - target user, page size (1–100), cursor from the previous page
 * @returns one page
 * @throws {ValidationError} `VALIDATION_FAILED` for a bad cursor
 * @example
 * const page = await readAuditLog(db, { userId, limit: 20, cursor: undefined });
 */
export async function readAuditLog(db: Database, input: { userId?: string | undefined; limit: number; cursor?: string | undefined }): Promise<Page<AuditEntry>> {
  const rows = await listAuditEntries(db, { targetUserId: input.userId, limit: input.limit + 1, after: decodeCursor(input.cursor) });
  const page = toPage(rows, input.limit);
  return { items: page.items.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() })), nextCursor: page.nextCursor };
}
