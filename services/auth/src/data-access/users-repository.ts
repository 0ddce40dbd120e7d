import { eq } from 'drizzle-orm';
import type { Database } from './database';
import { users, type Role, type UserRow } from './schema';

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
