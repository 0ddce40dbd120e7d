import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { veto } from './scripts/eslint/plugin.mjs';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/drizzle/**', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The dependency rules of docs/architecture.md and declared dependencies, on every module
    // (scripts/eslint explains each rule; scripts/eslint/import-rules.test.ts proves them).
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    plugins: { veto },
    rules: { 'veto/import-boundaries': 'error', 'veto/declared-dependencies': 'error' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
