import { and, desc, eq } from 'drizzle-orm';
import { olderThan } from './keyset';
import type { Database } from './database';
import { auditLog, type AdminAction, type AuditLogRow } from './schema';

/**
 * Records an admin action, in the transaction that performs it.
 *
 * @param tx - the open transaction
 * @param entry - who, what, whom, why, when, and the event it recorded
 * @example
 * await insertAuditEntry(tx, { id: randomUUID(), actorUserId, action: 'user.banned', targetUserId, reason, createdAt: now, eventId });
 */
export async function insertAuditEntry(
  tx: Database,
  entry: { id: string; actorUserId: string; action: AdminAction; targetUserId: string; reason: string | null; createdAt: Date; eventId: string },
): Promise<void> {
  await tx.insert(auditLog).values(entry);
}

/**
 * One page of the audit log, newest first, optionally for one target user; keyset
 * pagination on `(created_at, id)`.
 *
 * @param db - database
 * @param options - target user, page size, and the last entry of the previous page
 * @returns up to `limit` rows
 * @example
 * const rows = await listAuditEntries(db, { targetUserId, limit: 21, after: undefined });
 */
export async function listAuditEntries(
  db: Database,
  options: { targetUserId: string | undefined; limit: number; after: { createdAt: Date; id: string } | undefined },
): Promise<AuditLogRow[]> {
  const forTarget = options.targetUserId === undefined ? undefined : eq(auditLog.targetUserId, options.targetUserId);
  return db
    .select()
    .from(auditLog)
    .where(and(forTarget, olderThan(auditLog.createdAt, auditLog.id, options.after)))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(options.limit);
}
