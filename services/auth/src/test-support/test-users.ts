import type { Express } from 'express';
import request from 'supertest';
import type { Database } from '../data-access/database';
import { setUserRole } from '../data-access/users-repository';

/** A signed-up test account and its session's tokens. */
export interface TestUser {
  readonly id: string;
  readonly email: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

export const TEST_PASSWORD = 'correct horse battery';

/**
 * Signs up an account through the real API; with `role: 'admin'` it is promoted in the
 * database and signed in again, so its access token carries the admin role.
 *
 * @param app - the test app
 * @param db - its database
 * @param email - the account's email
 * @param role - `user` (default) or `admin`
 * @example
 * const admin = await createTestUser(t.app, database.db, 'root@example.com', 'admin');
 */
export async function createTestUser(app: Express, db: Database, email: string, role: 'user' | 'admin' = 'user'): Promise<TestUser> {
  const signUp = await request(app).post('/api/users/signup').send({ email, password: TEST_PASSWORD }).expect(201);
  if (role === 'user') {
    return { id: signUp.body.user.id, email, accessToken: signUp.body.accessToken, refreshToken: signUp.body.refreshToken };
  }
  await setUserRole(db, signUp.body.user.id, 'admin', new Date());
  const signIn = await request(app).post('/api/users/signin').send({ email, password: TEST_PASSWORD }).expect(200);
  return { id: signIn.body.user.id, email, accessToken: signIn.body.accessToken, refreshToken: signIn.body.refreshToken };
}
