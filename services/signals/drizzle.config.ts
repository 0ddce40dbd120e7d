import { defineConfig } from 'drizzle-kit';

// Generation only: migrations are applied by the service at start-up (src/data-access/migrations-folder.ts).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/data-access/schema.ts',
  out: './drizzle',
});
