import { defineConfig } from 'drizzle-kit';

// Generates the migrations of the package's own test schema only.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/test-support/test-schema.ts',
  out: './src/test-support/migrations',
});
