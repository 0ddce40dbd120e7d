// The workspace's own ESLint rules, loaded by eslint.config.mjs as the plugin `veto`.
import { declaredDependencies } from './declared-dependencies.mjs';
import { importBoundaries } from './import-boundaries.mjs';

/**
 * The `veto` ESLint plugin: `veto/import-boundaries` and `veto/declared-dependencies`.
 * @example
 * // eslint.config.mjs
 * { plugins: { veto }, rules: { 'veto/import-boundaries': 'error', 'veto/declared-dependencies': 'error' } }
 */
export const veto = {
  meta: { name: 'veto' },
  rules: { 'import-boundaries': importBoundaries, 'declared-dependencies': declaredDependencies },
};
