import { findUserByEmail, insertUser } from '../data-access/users-repository';
import { openTestDatabase, type TestDatabase } from '../test-support/test-database';
import { ensureAdmin } from './ensure-admin';
import { createPasswordHasher, type PasswordHasher } from './password-hasher';

let database: TestDatabase;
let passwords: PasswordHasher;
const clock = () => Date.UTC(2026, 0, 15, 10, 0, 0, 123);

beforeAll(async () => {
  database = await openTestDatabase();
  passwords = await createPasswordHasher({ memoryKib: 1024, timeCost: 1, parallelism: 1 });
});
beforeEach(() => database.reset());
afterAll(() => database.close());

describe('ensureAdmin', () => {
  it('creates an admin with the password, storing the email lower-cased', async () => {
    const deps = { db: database.db, clock, passwords };
    expect(await ensureAdmin(deps, { email: 'Root@Example.com', password: 'first admin password' })).toBe('created');
    const row = await findUserByEmail(database.db, 'root@example.com');
    expect(row?.role).toBe('admin');
    expect(await passwords.verify(row?.passwordHash ?? '', 'first admin password')).toBe(true);
  });

  it('is idempotent: a second run changes nothing', async () => {
    const deps = { db: database.db, clock, passwords };
    await ensureAdmin(deps, { email: 'root@example.com', password: 'first admin password' });
    const before = await findUserByEmail(database.db, 'root@example.com');
    expect(await ensureAdmin(deps, { email: 'root@example.com', password: 'another password' })).toBe('unchanged');
    expect(await findUserByEmail(database.db, 'root@example.com')).toEqual(before);
  });

  it('promotes an existing user and keeps their password', async () => {
    const passwordHash = await passwords.hash('user chosen password');
    await insertUser(database.db, { id: '2b1f0c9e-6d1a-4f7e-9c3b-8a0d5e4f3a21', email: 'ada@example.com', passwordHash, role: 'user', now: new Date(clock()) });
    expect(await ensureAdmin({ db: database.db, clock, passwords }, { email: 'ADA@example.com', password: 'config password' })).toBe('promoted');
    const row = await findUserByEmail(database.db, 'ada@example.com');
    expect(row).toMatchObject({ role: 'admin', passwordHash });
  });
});
