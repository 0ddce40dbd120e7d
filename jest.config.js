/** One jest run for the whole workspace; workspace packages resolve to their sources. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/services', '<rootDir>/scripts', '<rootDir>/tests', '<rootDir>/infra', '<rootDir>/bench', '<rootDir>/examples'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  moduleNameMapper: {
    '^@veto/events$': '<rootDir>/packages/events/src/index.ts',
    '^@veto/events/testing$': '<rootDir>/packages/events/src/testing.ts',
    '^@veto/auth-lib$': '<rootDir>/packages/auth-lib/src/index.ts',
    '^@veto/auth-lib/testing$': '<rootDir>/packages/auth-lib/src/testing.ts',
    '^@veto/auth-lib/express$': '<rootDir>/packages/auth-lib/src/express/index.ts',
    '^@veto/auth-lib/fastify$': '<rootDir>/packages/auth-lib/src/fastify/index.ts',
    '^@veto/storage$': '<rootDir>/packages/storage/src/index.ts',
    '^@veto/storage/testing$': '<rootDir>/packages/storage/src/testing.ts',
    '^@veto/service-kit$': '<rootDir>/packages/service-kit/src/index.ts',
    '^@veto/service-kit/testing$': '<rootDir>/packages/service-kit/src/testing.ts',
    '^@veto/auth$': '<rootDir>/services/auth/src/index.ts',
    '^@veto/tickets$': '<rootDir>/services/tickets/src/index.ts',
    '^@veto/signals$': '<rootDir>/services/signals/src/index.ts',
    '^@veto/e2e$': '<rootDir>/tests/e2e/src/index.ts',
    '^@veto/local-stack$': '<rootDir>/infra/local-stack/src/index.ts',
    '^@veto/admin-console$': '<rootDir>/packages/admin-console/src/index.ts',
    '^@veto/test-kit$': '<rootDir>/packages/test-kit/src/index.ts',
  },
  // A bound on a stuck test, not a speed check. Tests that start services from their sources as
  // processes (twice, in auth's and tickets' main tests) took over 30 s when the two cores were
  // shared with three other test runs; nothing in a test may depend on the machine being idle.
  testTimeout: 120_000,
};
