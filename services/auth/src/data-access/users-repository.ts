import { and, desc, eq, sql } from 'drizzle-orm';
import { olderThan } from './keyset';
import type { Database } from './database';
import type { Role } from '@veto/auth-lib';
import { users, type UserRow } from './schema';

/** The columns of a new account. */
export interface NewUser {
  readonly id: string;
  /** Already lower-cased. */
  readonly email: string;
  readonly passwordHash: string;
  readonly role: Role;
  readonly now: Date;
}

/**
 * Inserts an account unless the email is taken.
 *
 * @param db - database or transaction
 * @param user - the new account
 * @returns the stored row, or `undefined` when the email already exists
 * @throws whatever the driver throws on other failures
 * @example
 * const row = await insertUser(tx, { id: randomUUID(), email, passwordHash, role: 'user', now });
 */
export async function insertUser(db: Database, user: NewUser): Promise<UserRow | undefined> {
  const [row] = await db
    .insert(users)
    .values({ id: user.id, email: user.email, passwordHash: user.passwordHash, role: user.role, createdAt: user.now, updatedAt: user.now })
    .onConflictDoNothing({ target: users.email })
    .returning();
  return row;
}

/**
 * Finds an account by its (lower-cased) email.
 *
 * @param db - database or transaction
 * @param email - lower-cased email
 * @returns the row or `undefined`
 * @example
 * const user = await findUserByEmail(db, 'ada@example.com');
 */
export async function findUserByEmail(db: Database, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email));
  return row;
}

/**
 * Finds an account by id.
 *
 * @param db - database or transaction
 * @param id - user id
 * @returns the row or `undefined`
 * @example
 * const user = await findUserById(db, claims.sub);
 */
export async function findUserById(db: Database, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

/**
 * Changes the role of an account.
 *
 * @param db - database or transaction
 * @param id - user id
 * @param role - the new role
 * @param now - update time
 * @returns the updated row, or `undefined` when there is no such user
 * @example
 * await setUserRole(tx, user.id, 'admin', new Date(clock()));
 */
export async function setUserRole(db: Database, id: string, role: Role, now: Date): Promise<UserRow | undefined> {
  const [row] = await db.update(users).set({ role, updatedAt: now }).where(eq(users.id, id)).returning();
  return row;
}

/**
 * Reads an account and locks its row until the transaction ends: `update` for a change of
 * its ban state (admin actions), `share` for issuing tokens, so a sign-in or refresh and a
 * ban on the same user run one after the other and a ban never misses a token being issued.
 *
 * @param tx - an open transaction
 * @param id - user id
 * @param strength - `update` or `share`
 * @returns the row or `undefined`
 * @example
 * const user = await lockUser(tx, id, 'update');
 */
export async function lockUser(tx: Database, id: string, strength: 'update' | 'share'): Promise<UserRow | undefined> {
  const [row] = await tx.select().from(users).where(eq(users.id, id)).for(strength);
  return row;
}

/**
 * Sets or clears the ban of an account.
 *
 * @param tx - database or transaction
 * @param id - user id
 * @param ban - when, why and by which event; `null` lifts the ban
 * @param now - update time
 * @returns the updated row
 * @throws {Error} when there is no such user (callers lock the row first)
 * @example
 * await setUserBan(tx, user.id, { bannedAt: now, reason: 'fraud', eventId: event.id }, now);
 */
export async function setUserBan(tx: Database, id: string, ban: { bannedAt: Date; reason: string; eventId: string } | null, now: Date): Promise<UserRow> {
  const [row] = await tx
    .update(users)
    .set({ bannedAt: ban?.bannedAt ?? null, banReason: ban?.reason ?? null, banEventId: ban?.eventId ?? null, updatedAt: now })
    .where(eq(users.id, id))
    .returning();
  if (row === undefined) {
    throw new Error(`UPDATE … RETURNING found no user ${id}`);
  }
  return row;
}

/**
 * One page of accounts, newest first, optionally those whose email contains a text;
 * keyset pagination on `(created_at, id)`.
 *
 * @param db - database
 * @param options - email substring (lower-cased), page size, and the last row of the previous page
 * @returns up to `limit` rows
 * @example
 * const rows = await listUsers(db, { emailContains: 'ada', limit: 21, after: undefined });
 */
export async function listUsers(
  db: Database,
  options: { emailContains: string | undefined; limit: number; after: { createdAt: Date; id: string } | undefined },
): Promise<UserRow[]> {
  // strpos, not LIKE: the search text needs no escaping of % and _.
  const matches = options.emailContains === undefined ? undefined : sql`strpos(${users.email}, ${options.emailContains}) > 0`;
  return db
    .select()
    .from(users)
    .where(and(matches, olderThan(users.createdAt, users.id, options.after)))
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(options.limit);
}
