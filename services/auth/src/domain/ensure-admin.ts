import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { Database } from '../data-access/database';
import { findUserByEmail, insertUser, setUserRole } from '../data-access/users-repository';
import type { PasswordHasher } from './password-hasher';
import { normalizeEmail } from './public-user';

/** What `ensureAdmin` did. */
export type EnsureAdminOutcome = 'created' | 'promoted' | 'unchanged';

/**
 * Makes sure an admin account exists for an email, idempotently: creates it with the
 * password, or promotes an existing account. An existing account keeps its password
 * (start-up must not silently reset a password an admin has since changed).
 *
 * @param deps - database, clock and password hasher
 * @param admin - email and password (the password is used only when creating)
 * @returns what was done
 * @example
 * await ensureAdmin({ db, clock, passwords }, { email: config.adminEmail, password: config.adminPassword });
 */
export async function ensureAdmin(deps: { db: Database; clock: Clock; passwords: PasswordHasher }, admin: { email: string; password: string }): Promise<EnsureAdminOutcome> {
  const email = normalizeEmail(admin.email);
  const existing = await findUserByEmail(deps.db, email);
  if (existing !== undefined) {
    if (existing.role === 'admin') {
      return 'unchanged';
    }
    await setUserRole(deps.db, existing.id, 'admin', new Date(deps.clock()));
    return 'promoted';
  }
  const passwordHash = await deps.passwords.hash(admin.password);
  const created = await insertUser(deps.db, { id: randomUUID(), email, passwordHash, role: 'admin', now: new Date(deps.clock()) });
  if (created === undefined) {
    // Another instance created the account between the lookup and the insert.
    return ensureAdmin(deps, admin);
  }
  return 'created';
}
